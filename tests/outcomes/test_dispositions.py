"""Dispositions per agency: the real-estate defaults for every agency (existing ones by the
data migration, new ones when created), edited by managers, and sent to ElevenLabs as
data-collection items plus the evaluation criterion."""

import pytest
from django.urls import reverse

from agencies.models import Membership
from agents.services import sync_agent
from outcomes.dispositions import REAL_ESTATE_DEFAULTS
from outcomes.models import Disposition
from tests.calls.conftest import run_after_commit
from tests.factories import default_agency, make_agency, make_agent, make_staff_user
from tests.fakeprovider import openapi

pytestmark = pytest.mark.django_db
DEFAULT_KEYS = [row[0] for row in REAL_ESTATE_DEFAULTS]
AGENTS = "/v1/convai/agents"


def test_the_install_agency_and_every_new_agency_have_the_real_estate_defaults():
    assert (
        list(Disposition.objects.filter(agency=default_agency()).values_list("key", flat=True))
        == DEFAULT_KEYS
    )
    agency = make_agency(name="Harbour Realty")
    appraisal = Disposition.objects.get(agency=agency, key="appraisal_booked")
    assert appraisal.label == "Appraisal booked" and appraisal.converts
    assert [d["key"] for d in appraisal.details] == ["address", "preferred_time"]
    assert Disposition.objects.filter(agency=agency).count() == len(DEFAULT_KEYS)


def test_the_data_migration_gives_existing_agencies_the_defaults(migrator):
    apps = migrator([("outcomes", "0001_dispositions_outcomes_alerts")])
    Agency = apps.get_model("agencies", "Agency")
    agency = Agency.objects.create(name="Older Agency", slug="older")

    apps = migrator([("outcomes", "0002_real_estate_default_dispositions")])

    keys = apps.get_model("outcomes", "Disposition").objects.filter(agency_id=agency.pk)
    assert sorted(keys.values_list("key", flat=True)) == sorted(DEFAULT_KEYS)


def test_agent_sync_sends_the_outcome_items_and_the_evaluation_criterion(
    live_provider_settings,
):
    fake = live_provider_settings
    agent = make_agent(name="Lisa")

    assert sync_agent(agent)

    request = fake.last_request("POST", f"{AGENTS}/create")
    assert openapi.request_errors(openapi.find_operation("POST", request.path), request.body) in (
        None,
        [],
    )
    platform = request.json["platform_settings"]
    items = platform["data_collection"]
    assert {"caller_name", "caller_memories", "outcome", "outcome_confidence"} <= set(items)
    assert items["outcome_confidence"]["type"] == "number"
    for key in DEFAULT_KEYS:
        assert key in items["outcome"]["description"]
    assert items["buyer_enquiry__budget"]["type"] == "number"
    assert items["callback_requested__when"]["type"] == "string"
    assert "ISO 8601" in items["callback_requested__when"]["description"]
    expected_details = sum(len(row[3]) for row in REAL_ESTATE_DEFAULTS)
    assert len([name for name in items if "__" in name]) == expected_details
    [criterion] = platform["evaluation"]["criteria"]
    assert criterion["id"] == "need_handled" and criterion["type"] == "prompt"


def test_a_manager_adds_an_outcome_with_typed_details(staff_client, live_provider_settings):
    agent = make_agent(name="Lisa")
    sync_agent(agent)

    with run_after_commit():
        response = staff_client.post(
            reverse("outcomes:disposition_create"),
            {
                "key": "auction_registration",
                "label": "Auction registration",
                "description": "The caller registered to bid.",
                "converts": "on",
                "position": "20",
                "details_text": "bidder_number | Bidder number | number | Their paddle number\n"
                "finance_ok | Finance approved | yes_no",
            },
        )

    assert response.status_code == 302
    added = Disposition.objects.get(key="auction_registration")
    assert added.details == [
        {
            "key": "bidder_number",
            "label": "Bidder number",
            "type": "number",
            "description": "Their paddle number",
        },
        {"key": "finance_ok", "label": "Finance approved", "type": "yes_no", "description": ""},
    ]
    # The agency's agents were synced again with the new items.
    patch = live_provider_settings.last_request("PATCH", f"{AGENTS}/{agent.elevenlabs_agent_id}")
    items = patch.json["platform_settings"]["data_collection"]
    assert items["auction_registration__finance_ok"]["type"] == "boolean"


@pytest.mark.parametrize(
    "key,details,message",
    [
        ("bad-key", "", "Use lower-case letters, digits and _"),
        ("a__b", "", "cannot contain two underscores in a row"),
        ("unknown", "", "what Voqo records when no outcome fits"),
        ("seller_lead", "", "already has an outcome with that key"),
        ("fine", "x | X | colour", "Line 1: “colour” is not a type"),
        ("fine", "x | X\nx | Y", "Line 2: the detail “x” is listed twice."),
    ],
)
def test_bad_outcomes_get_clear_errors(staff_client, key, details, message):
    response = staff_client.post(
        reverse("outcomes:disposition_create"),
        {"key": key, "label": "L", "position": "1", "details_text": details},
    )

    assert response.status_code == 200
    assert message in response.content.decode()


def test_staff_see_the_outcomes_but_only_managers_change_them(client):
    user = make_staff_user("sam", role=Membership.Role.STAFF)
    client.force_login(user)
    seller = Disposition.objects.get(agency=default_agency(), key="seller_lead")

    assert client.get(reverse("outcomes:dispositions")).status_code == 200
    assert client.get(reverse("outcomes:disposition_create")).status_code == 403
    assert client.post(reverse("outcomes:disposition_delete", args=[seller.pk])).status_code == 403


def test_deleting_an_outcome_asks_first(staff_client):
    seller = Disposition.objects.get(agency=default_agency(), key="seller_lead")

    page = staff_client.get(reverse("outcomes:disposition_delete", args=[seller.pk]))
    assert "Delete “Seller lead”?" in page.content.decode()
    assert Disposition.objects.filter(pk=seller.pk).exists()

    staff_client.post(reverse("outcomes:disposition_delete", args=[seller.pk]))
    assert not Disposition.objects.filter(pk=seller.pk).exists()


def test_another_agencys_outcome_is_not_found(staff_client):
    other = Disposition.objects.get(agency=make_agency(), key="seller_lead")

    assert (
        staff_client.get(reverse("outcomes:disposition_edit", args=[other.pk])).status_code == 404
    )
