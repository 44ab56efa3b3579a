"""Changes managers make in each app land in the audit trail: knowledge documents, listing
imports and the feed, phone numbers, outcomes and lead-alert rules, provider accounts."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from knowledge.models import KnowledgeDocument
from outcomes.models import Disposition, LeadAlertRule
from phone_numbers.models import PhoneNumber
from tests.factories import default_agency, make_agent
from tests.listings.helpers import upload_reaxml
from tests.phone_numbers.test_number_pages import number_form

pytestmark = pytest.mark.django_db


def kinds() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("kind", flat=True))


def test_adding_and_deleting_a_knowledge_document_is_audited(staff_client):
    staff_client.post(
        "/knowledge/add/", {"name": "Strata FAQ", "text": "Levies are paid quarterly."}
    )
    document = KnowledgeDocument.objects.get()
    staff_client.post(reverse("knowledge:delete", args=[document.id]))

    added, deleted = (
        AuditEntry.objects.get(kind=kind)
        for kind in ("knowledge.document_added", "knowledge.document_deleted")
    )
    assert added.summary == "Added knowledge document Strata FAQ"
    assert deleted.target == f"knowledge_document:{document.id}"
    assert added.actor_name == deleted.actor_name != ""


def test_listing_imports_and_feed_changes_are_audited(staff_client):
    upload_reaxml(staff_client, "every_kind.xml")
    upload_reaxml(staff_client, "broken.xml", b"<propertyList><residential>")
    staff_client.post(
        "/listings/import/feed/",
        {"url": "https://feeds.example.com/agency.xml", "poll_every_minutes": 15, "enabled": "on"},
    )
    staff_client.post(
        "/listings/import/feed/",
        {"url": "https://feeds.example.com/agency.xml", "poll_every_minutes": 60, "enabled": "on"},
    )

    imports = AuditEntry.objects.filter(kind="listings.imported").order_by("id")
    assert [entry.summary.split(":")[0] for entry in imports] == [
        "Imported listings from every_kind.xml",
        "Listings file broken.xml refused",
    ]
    feed_changes = AuditEntry.objects.filter(kind="listings.feed_changed").order_by("id")
    assert feed_changes.count() == 2
    assert feed_changes.last().summary == "Listings feed changed: poll_every_minutes"
    assert feed_changes.last().detail["after"]["poll_every_minutes"] == 60


def test_adding_assigning_and_deleting_a_phone_number_is_audited(
    staff_client, live_provider_settings
):
    agent = make_agent(name="Lisa")
    staff_client.post(reverse("phone_numbers:create"), number_form())
    number = PhoneNumber.objects.get()
    staff_client.post(
        reverse("phone_numbers:edit", args=[number.id]), number_form(agent=str(agent.id))
    )
    staff_client.post(reverse("phone_numbers:delete", args=[number.id]))

    assert [k for k in kinds() if k.startswith("phone_number.")] == [
        "phone_number.added",
        "phone_number.changed",
        "phone_number.deleted",
    ]


def test_outcome_and_lead_alert_rule_changes_are_audited(staff_client):
    seller = Disposition.objects.get(agency=default_agency(), key="seller_lead")
    staff_client.post(reverse("outcomes:disposition_delete", args=[seller.pk]))
    staff_client.post(
        "/lead-alerts/new/",
        {
            "name": "Hot",
            "enabled": "on",
            "trigger": "outcomes",
            "outcomes": ["appraisal_booked"],
            "recipient": "on_call",
            "phone": "0499 888 777",
            "by_sms": "on",
        },
    )
    rule = LeadAlertRule.objects.get()
    staff_client.post(reverse("outcomes:alert_rule_delete", args=[rule.pk]))

    assert {"disposition.deleted", "lead_alert_rule.saved", "lead_alert_rule.deleted"} <= set(
        kinds()
    )


def test_provider_account_changes_are_audited_without_their_values(staff_client):
    staff_client.post("/agency/provider-accounts/", {"elevenlabs_phone_number_id": "phnum_bayside"})

    entry = AuditEntry.objects.get(kind="agency.provider_accounts_changed")
    assert entry.detail == {"fields": ["elevenlabs_phone_number_id"]}
    assert "phnum_bayside" not in entry.summary
