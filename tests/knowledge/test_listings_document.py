"""The generated document of current stock: switched on per agent, regenerated (debounced)
when stock changes, uploaded again only when its text changed."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django_q.models import Schedule

from agents.services import sync_agent
from knowledge.models import KnowledgeDocument
from knowledge.queue import listings_schedule_name
from knowledge.tasks import regenerate_listings_document
from tests.factories import default_agency, make_agent
from tests.listings.helpers import upload_reaxml

pytestmark = pytest.mark.django_db
KB = "/v1/convai/knowledge-base"


@pytest.fixture
def early_march():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Australia/Sydney"))):
        yield


@pytest.fixture
def agent_with_listings(staff_client, live_provider_settings, early_march):
    upload_reaxml(staff_client, "every_kind.xml")
    agent = make_agent(name="Lisa")
    assert sync_agent(agent)
    response = staff_client.post(f"/knowledge/agent/{agent.pk}/", {"listings_document": "on"})
    assert response.status_code == 302
    agent.refresh_from_db()
    return agent


def test_switching_it_on_generates_current_stock_and_attaches_it(
    agent_with_listings, live_provider_settings
):
    fake = live_provider_settings
    document = KnowledgeDocument.objects.get(source="listings")
    assert document.status == "ready"
    assert list(document.agents.all()) == [agent_with_listings]

    text = fake.knowledge_documents[document.elevenlabs_document_id]["text"]
    assert "12 Ocean Street, Bondi NSW 2026 (House, for sale), id RES-1" in text
    assert "Next inspection: Saturday 14 March 10am to 10:30am" in text
    assert "Coogee NSW 2034" in text and "Hidden Lane" not in text  # address withheld
    assert "Kellyville" in text and "650" not in text  # price withheld
    for gone in ("Mudgee", "George Street", "Industrial Drive", "Cafe Lane", "Byron Bay"):
        assert gone not in text
    prompt = fake.agents[agent_with_listings.elevenlabs_agent_id]["conversation_config"]["agent"][
        "prompt"
    ]
    assert prompt["knowledge_base"][0]["id"] == document.elevenlabs_document_id
    assert prompt["rag"] == {"enabled": True}


def test_stock_changes_schedule_one_regeneration_however_many_arrive(
    staff_client, agent_with_listings
):
    upload_reaxml(staff_client, "update_only.xml")
    other = b'<propertyList><land modTime="2026-03-09-09:00:00" status="current"><agentID>X</agentID><uniqueID>NEW-1</uniqueID><address><suburb>Dural</suburb></address></land></propertyList>'  # noqa: E501
    upload_reaxml(staff_client, "more.xml", other)

    schedules = Schedule.objects.filter(name=listings_schedule_name(default_agency().pk))
    assert schedules.count() == 1
    assert schedules.get().func == "knowledge.tasks.regenerate_listings_document"


def test_regeneration_uploads_only_a_changed_text_and_replaces_the_old_copy(
    staff_client, agent_with_listings, live_provider_settings
):
    fake = live_provider_settings
    document = KnowledgeDocument.objects.get(source="listings")
    old_id = document.elevenlabs_document_id

    regenerate_listings_document(str(default_agency().pk))
    document.refresh_from_db()
    assert document.elevenlabs_document_id == old_id  # same stock, nothing uploaded

    upload_reaxml(staff_client, "update_only.xml")
    regenerate_listings_document(str(default_agency().pk))

    document.refresh_from_db()
    assert document.elevenlabs_document_id != old_id
    assert old_id not in fake.knowledge_documents
    text = fake.knowledge_documents[document.elevenlabs_document_id]["text"]
    assert "Ocean Street" not in text  # RES-1 was sold
    assert "$950,000" in text  # RES-2's new price
    prompt = fake.agents[agent_with_listings.elevenlabs_agent_id]["conversation_config"]["agent"][
        "prompt"
    ]
    assert [locator["id"] for locator in prompt["knowledge_base"]] == [
        document.elevenlabs_document_id
    ]


def test_switching_it_off_detaches_it(staff_client, agent_with_listings, live_provider_settings):
    staff_client.post(f"/knowledge/agent/{agent_with_listings.pk}/", {})

    document = KnowledgeDocument.objects.get(source="listings")
    assert not document.agents.exists()
    prompt = live_provider_settings.agents[agent_with_listings.elevenlabs_agent_id][
        "conversation_config"
    ]["agent"]["prompt"]
    assert prompt["knowledge_base"] == [] and prompt["rag"] == {"enabled": False}


def test_the_daily_tick_rewrites_next_inspections_as_they_pass(
    staff_client, agent_with_listings, live_provider_settings
):
    from django.core.management import call_command

    from knowledge.tasks import refresh_listings_documents

    call_command("migrate", verbosity=0)
    assert Schedule.objects.filter(name="Refresh listings documents").exists()
    with time_machine.travel(datetime(2026, 3, 16, 9, 0, tzinfo=ZoneInfo("Australia/Sydney"))):
        assert refresh_listings_documents() == 1

    document = KnowledgeDocument.objects.get(source="listings")
    text = live_provider_settings.knowledge_documents[document.elevenlabs_document_id]["text"]
    assert "Next inspection: Saturday 21 March 11am to 11:30am" in text
