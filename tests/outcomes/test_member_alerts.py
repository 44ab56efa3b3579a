"""Each member gives the mobile their lead alerts are texted to, and may opt out of SMS
alerts (even with read-only access); managers see who can be texted."""

import pytest

from agencies.models import Membership
from audit.models import AuditEntry
from tests.factories import make_staff_user

pytestmark = pytest.mark.django_db


def test_a_member_gives_their_mobile_and_opts_out_of_sms_alerts(staff_client, staff_user):
    response = staff_client.post("/lead-alerts/me/", {"alert_phone": "0499 111 222"})
    assert response.status_code == 302
    membership = Membership.objects.get(user=staff_user)
    assert membership.alert_phone == "+61499111222"
    assert membership.sms_alerts_opted_out_at is None

    staff_client.post("/lead-alerts/me/", {"alert_phone": "0499 111 222", "sms_opt_out": "on"})

    membership.refresh_from_db()
    assert membership.sms_alerts_opted_out_at is not None
    assert AuditEntry.objects.filter(kind="member.sms_alerts_opted_out").exists()
    page = staff_client.get("/lead-alerts/").content.decode()
    assert 'data-testid="member-alerts"' in page and "Opted out" in page


def test_a_bad_mobile_is_refused_with_a_clear_error(staff_client, staff_user):
    response = staff_client.post("/lead-alerts/me/", {"alert_phone": "banana"})

    assert response.status_code == 200
    assert "Enter a valid mobile number, e.g. 0412 345 678." in response.content.decode()
    assert Membership.objects.get(user=staff_user).alert_phone == ""


def test_a_read_only_member_may_still_opt_out(client):
    reader = make_staff_user(username="reader", role=Membership.Role.READ_ONLY)
    client.force_login(reader)

    response = client.post("/lead-alerts/me/", {"alert_phone": "", "sms_opt_out": "on"})

    assert response.status_code == 302
    assert Membership.objects.get(user=reader).sms_alerts_opted_out_at is not None
