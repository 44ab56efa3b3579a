"""Each audited action, done through its page, leaves one entry naming who did what."""

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse

from agencies.models import Membership
from audit.models import AuditEntry
from contacts.models import Memory
from tests.agents.test_sync import agent_form_data
from tests.factories import (
    default_agency,
    make_agent,
    make_call,
    make_contact,
    make_memory,
    make_staff_user,
)
from tests.fakeprovider.server import FAKE_MP3

pytestmark = pytest.mark.django_db


def _entries(kind: str):
    return list(AuditEntry.objects.filter(kind=kind).order_by("id"))


def test_a_prompt_and_greeting_change_is_recorded_with_the_diff(staff_client, staff_user):
    agent = make_agent(system_prompt="Be brief.\nBe kind.", greeting_message="Hi there.")

    staff_client.post(
        reverse("agents:edit", args=[agent.pk]),
        agent_form_data(system_prompt="Be brief.\nBe warm.", greeting_message="G'day."),
    )

    (entry,) = _entries("agent.prompt_changed")
    assert entry.actor == staff_user and entry.target == f"agent:{agent.pk}"
    assert entry.summary == "Changed the prompt and greeting of Lisa - Sales"
    assert "-Be kind." in entry.detail["diff"] and "+Be warm." in entry.detail["diff"]
    assert "-Hi there." in entry.detail["diff"] and "+G'day." in entry.detail["diff"]


def test_saving_an_agent_without_prompt_changes_records_nothing(staff_client):
    data = agent_form_data()
    agent = make_agent(
        system_prompt=data["system_prompt"], greeting_message=data["greeting_message"]
    )
    staff_client.post(reverse("agents:edit", args=[agent.pk]), agent_form_data(name="Renamed"))
    assert _entries("agent.prompt_changed") == []


def test_a_settings_change_is_recorded_with_before_and_after(staff_client, staff_user):
    staff_client.post(
        reverse("settings"),
        {
            "agency_name": "Test Agency",
            "time_zone": "Australia/Sydney",
            "sms_template": "Hi {caller_name}. - {agent_name}",
        },
    )

    (entry,) = _entries("settings.changed")
    changes = {change["field"]: change for change in entry.detail["changes"]}
    assert entry.actor == staff_user
    assert changes["sms_enabled"] == {"field": "sms_enabled", "before": True, "after": False}
    assert changes["sms_template"]["after"] == "Hi {caller_name}. - {agent_name}"
    assert "agency_name" not in changes


def test_playing_and_downloading_a_recording_are_recorded(staff_client):
    call = make_call()
    call.recording_file.save(f"{call.pk}.mp3", ContentFile(FAKE_MP3), save=True)
    url = reverse("calls:recording", args=[call.pk])

    staff_client.get(url)
    staff_client.get(url, HTTP_RANGE="bytes=4096-")  # the player's next range: same playback
    download = staff_client.get(url, {"download": "1"})

    assert "attachment" in download["Content-Disposition"]
    assert [e.kind for e in AuditEntry.objects.filter(target=f"call:{call.pk}")] == [
        "recording.downloaded",
        "recording.played",
    ]


def test_a_contacts_export_is_recorded(staff_client, staff_user):
    response = staff_client.get(reverse("contacts:export"))
    b"".join(response.streaming_content)
    (entry,) = _entries("export")
    assert entry.actor == staff_user and entry.summary == "Exported all contacts as CSV"


def test_a_campaign_report_export_is_recorded(staff_client, staff_user):
    from tests.campaigns.helpers import make_job, mobiles

    job = make_job(mobiles(1))
    response = staff_client.get(reverse("campaigns:job_report", args=[job.id]))
    b"".join(response.streaming_content)

    (entry,) = _entries("export")
    assert entry.target == f"job:{job.pk}" and entry.actor == staff_user


def test_editing_and_deleting_a_memory_are_recorded_without_its_words(staff_client):
    contact = make_contact()
    memory = make_memory(contact, "Budget about 900k")

    staff_client.post(
        reverse("contacts:memory_edit", args=[contact.pk, memory.pk]),
        {"content": "Budget about 950k"},
    )
    staff_client.post(reverse("contacts:memory_delete", args=[contact.pk, memory.pk]))

    assert not Memory.objects.exists()
    edited, deleted = _entries("memory.changed") + _entries("memory.deleted")
    assert edited.target == deleted.target == f"memory:{memory.pk}"
    assert "900k" not in str(edited.detail) + edited.summary
    assert "950k" not in str(deleted.detail) + deleted.summary


def test_opting_out_and_in_is_recorded_by_staff_and_by_stop_replies(staff_client, staff_user):
    from contacts.opt_out import opt_out_number

    contact = make_contact(phone="+61412000111")
    staff_client.post(reverse("contacts:opt_out", args=[contact.pk]))
    staff_client.post(reverse("contacts:opt_in", args=[contact.pk]))
    opt_out_number(phone="+61412000111", by="STOP reply", agency=default_agency())

    staff_out, staff_in, stop = _entries("opt_out.changed")
    assert staff_out.actor == staff_user and staff_out.detail["opted_out"] is True
    assert staff_in.actor == staff_user and staff_in.detail["opted_out"] is False
    assert stop.actor is None and stop.summary == "Opted out +61412000111 (STOP reply)"


def test_member_and_role_changes_are_recorded(client):
    owner = make_staff_user(username="olivia")
    client.force_login(owner)
    marco = make_staff_user(username="marco", role="staff")
    membership = Membership.objects.get(user=marco)

    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(reverse("agencies:invite"), {"email": "sam@example.com", "role": "staff"})
    client.post(reverse("agencies:change_role", args=[membership.pk]), {"role": "manager"})
    client.post(reverse("agencies:remove_member", args=[membership.pk]))

    kinds = [e.kind for e in AuditEntry.objects.exclude(kind="login").order_by("id")]
    assert kinds == ["member.invited", "member.role_changed", "member.removed"]
    role_change = _entries("member.role_changed")[0]
    assert role_change.summary == "Changed the role of marco from Staff to Manager"
    assert role_change.actor == owner


def test_an_action_that_rolls_back_leaves_no_entry(staff_client):
    owner_membership = Membership.objects.get()
    # The only owner cannot be demoted: the service refuses and nothing is recorded.
    staff_client.post(
        reverse("agencies:change_role", args=[owner_membership.pk]), {"role": "staff"}
    )
    assert _entries("member.role_changed") == []
