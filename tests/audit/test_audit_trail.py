"""The audit trail records what people do, shows it to owners and managers with filters,
and can never be changed or deleted — not in the page, not in the admin, not by the ORM."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from agencies.models import Membership
from audit.models import AppendOnly, AuditEntry
from tests.conftest import STAFF_PASSWORD
from tests.factories import default_agency, make_agency, make_staff_user
from voqo.events import record_audit

pytestmark = pytest.mark.django_db


def test_a_login_is_recorded_in_every_agency_of_the_person(client, staff_user):
    other = make_agency()
    Membership.objects.create(user=staff_user, agency=other, role="staff")

    client.post(reverse("login"), {"username": staff_user.username, "password": STAFF_PASSWORD})

    logins = AuditEntry.objects.filter(kind="login", actor=staff_user)
    assert {entry.agency_id for entry in logins} == {default_agency().pk, other.pk}
    assert logins.first().summary == f"{staff_user.username} logged in"


def test_an_entry_cannot_be_changed_or_deleted_through_the_orm(staff_user):
    record_audit(default_agency(), staff_user, "export", "Exported all contacts as CSV")
    entry = AuditEntry.objects.get()

    entry.summary = "Nothing happened"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.update(summary="Nothing happened")
    assert AuditEntry.objects.get().summary == "Exported all contacts as CSV"


def test_the_admin_shows_entries_but_offers_no_add_change_or_delete(client):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    record_audit(default_agency(), admin, "export", "Exported all contacts as CSV")
    entry = AuditEntry.objects.get()
    client.force_login(admin)

    listing = client.get(reverse("admin:audit_auditentry_changelist"))
    detail = client.get(reverse("admin:audit_auditentry_change", args=[entry.pk]))
    delete = client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    add = client.get(reverse("admin:audit_auditentry_add"))

    assert listing.status_code == 200 and b"Exported all contacts" in listing.content
    assert detail.status_code == 200 and b'name="_save"' not in detail.content
    assert delete.status_code == 403
    assert add.status_code == 403
    assert AuditEntry.objects.count() == 1


def test_a_removed_login_keeps_its_entries_under_its_name(staff_user):
    record_audit(default_agency(), staff_user, "export", "Exported all contacts as CSV")

    staff_user.delete()

    entry = AuditEntry.objects.get()
    assert entry.actor is None and entry.who == "staff"


def test_the_page_is_for_owners_and_managers(client):
    for role, status in (("owner", 200), ("manager", 200), ("staff", 403), ("read_only", 403)):
        user = make_staff_user(username=f"user-{role}", role=role)
        client.force_login(user)
        assert client.get(reverse("audit:trail")).status_code == status, role


def test_the_page_filters_by_person_kind_and_date(staff_client, staff_user):
    agency = default_agency()
    colleague = make_staff_user(username="colleague", role="manager")
    record_audit(agency, staff_user, "export", "Exported all contacts as CSV")
    record_audit(agency, colleague, "settings.changed", "Changed settings: sms_enabled")
    old = AuditEntry.objects.create(agency=agency, kind="export", summary="An old export")
    AuditEntry._base_manager.filter(pk=old.pk).update(
        created_at=timezone.now() - timedelta(days=40)
    )
    url = reverse("audit:trail")

    by_person = staff_client.get(url, {"person": colleague.pk}).content.decode()
    by_kind = staff_client.get(url, {"kind": "export"}).content.decode()
    recent = staff_client.get(
        url, {"date_from": (timezone.localdate() - timedelta(days=7)).isoformat()}
    ).content.decode()

    assert "Changed settings" in by_person and "Exported all contacts" not in by_person
    assert "Exported all contacts" in by_kind and "An old export" in by_kind
    assert "Changed settings" not in by_kind
    assert "An old export" not in recent and "Exported all contacts" in recent


def test_the_page_rejects_an_inverted_date_range_with_a_clear_error(staff_client):
    response = staff_client.get(
        reverse("audit:trail"), {"date_from": "2026-03-10", "date_to": "2026-03-01"}
    )
    assert "“To” must be on or after “From”." in response.content.decode()


def test_the_page_shows_only_its_own_agencys_entries(staff_client):
    record_audit(make_agency(), None, "export", "Another agency's export")
    record_audit(default_agency(), None, "export", "Our export")

    html = staff_client.get(reverse("audit:trail")).content.decode()

    assert "Our export" in html and "Another agency" not in html


def test_the_page_pages_by_keyset_without_repeating_or_skipping(
    staff_client, django_assert_max_num_queries
):
    agency = default_agency()
    for n in range(120):
        record_audit(agency, None, "export", f"Export number {n:03d}")
    url = reverse("audit:trail")

    seen, cursor = [], None
    while True:
        with django_assert_max_num_queries(12):
            response = staff_client.get(url, {"before": cursor} if cursor else {})
        page = response.context["entries"]
        seen += [entry.summary for entry in page]
        cursor = response.context["older_cursor"]
        if cursor is None:
            break

    exports = [summary for summary in seen if summary.startswith("Export number")]
    assert exports == [f"Export number {n:03d}" for n in reversed(range(120))]


def test_an_empty_trail_says_so(staff_client):
    html = staff_client.get(reverse("audit:trail"), {"kind": "purge"}).content.decode()
    assert "No entries match these filters" in html


def test_a_kind_another_app_records_can_be_filtered_by_name(staff_client):
    record_audit(default_agency(), None, "consent.recorded", "Consent recorded for a contact")

    response = staff_client.get(reverse("audit:trail"), {"kind": "consent.recorded"})

    assert "Consent recorded for a contact" in response.content.decode()
    assert not response.context["form"].errors
