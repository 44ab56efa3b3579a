"""Agents and custom functions belong to an agency: another agency's ids are not found, only
managers change them, lists show the current agency's rows only."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import Membership
from agents.models import Agent
from functions.models import CustomFunction, FunctionInvocation
from tests.agents.test_sync import agent_form_data
from tests.factories import default_agency, make_agency, make_agent, make_call, make_staff_user
from tests.functions.helpers import invoke, make_function

pytestmark = pytest.mark.django_db

Role = Membership.Role


def client_for(role: str, agency=None, username: str | None = None) -> Client:
    user = make_staff_user(username or f"member-{role}", agency=agency, role=role)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def theirs():
    """Agency A's agent and function (A is not the default agency)."""
    agent = make_agent(agency=make_agency(name="Coastal Homes"), name="Their agent")
    return agent, make_function(agent, name="their_lookup")


def object_urls(agent: Agent, function: CustomFunction) -> list[str]:
    """Every page of the agents and functions apps that takes an object id."""
    return [
        reverse("agents:detail", args=[agent.id]),
        reverse("agents:edit", args=[agent.id]),
        reverse("agents:calls", args=[agent.id]),
        reverse("agents:toggle", args=[agent.id]),
        reverse("agents:sync", args=[agent.id]),
        reverse("agents:delete", args=[agent.id]),
        reverse("functions:list", args=[agent.id]),
        reverse("functions:create", args=[agent.id]),
        reverse("functions:edit", args=[function.id]),
        reverse("functions:delete", args=[function.id]),
        reverse("functions:toggle", args=[function.id]),
        reverse("functions:test", args=[function.id]),
    ]


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_agencys_agent_and_function_ids_answer_404(staff_client, theirs, method):
    agent, function = theirs

    for url in object_urls(agent, function):
        response = getattr(staff_client, method)(url, agent_form_data(name="Hijacked"))
        # toggle and sync are POST-only: a GET answers 405 before anything is looked up.
        expected = {404, 405} if method == "get" else {404}
        assert response.status_code in expected, url
        assert "Their agent" not in response.content.decode(), url

    agent.refresh_from_db()
    function.refresh_from_db()
    assert agent.name == "Their agent" and agent.enabled and function.enabled
    assert not FunctionInvocation.objects.exists()


# (url name, takes the agent or the function, method)
STATE_CHANGING = [
    ("agents:create", None, "post"),
    ("agents:template_fields", None, "get"),
    ("agents:edit", "agent", "post"),
    ("agents:toggle", "agent", "post"),
    ("agents:sync", "agent", "post"),
    ("agents:delete", "agent", "post"),
    ("functions:create", "agent", "post"),
    ("functions:edit", "function", "post"),
    ("functions:toggle", "function", "post"),
    ("functions:delete", "function", "post"),
    ("functions:test", "function", "post"),
]


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.STAFF])
@pytest.mark.parametrize(("name", "takes", "method"), STATE_CHANGING)
def test_members_below_manager_may_not_change_agents_or_functions(role, name, takes, method):
    agent = make_agent(name="Lisa")
    function = make_function(agent)
    args = {"agent": [agent.id], "function": [function.id], None: []}[takes]
    client = client_for(role)

    data = {"template": "property_manager", **agent_form_data(name="Changed")}
    response = getattr(client, method)(reverse(name, args=args), data)

    assert response.status_code == 403
    assert Agent.objects.get() == agent
    agent.refresh_from_db()
    function.refresh_from_db()
    assert (agent.name, agent.enabled, function.enabled) == ("Lisa", True, True)
    assert not FunctionInvocation.objects.exists()


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.STAFF])
def test_members_below_manager_see_agents_and_functions_without_controls(role):
    agent = make_agent(name="Lisa", sync_status=Agent.SyncStatus.FAILED, sync_error="Bad key")
    function = make_function(agent, name="check_property")
    make_call(agent=agent)
    client = client_for(role)

    pages = {
        "list": client.get(reverse("agents:list")),
        "detail": client.get(reverse("agents:detail", args=[agent.id])),
        "calls": client.get(reverse("agents:calls", args=[agent.id])),
        "functions": client.get(reverse("functions:list", args=[agent.id])),
        "function": client.get(reverse("functions:edit", args=[function.id])),
    }

    for page, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 200, page
        assert "Lisa" in html, page
        for hidden in [
            reverse("agents:create"),
            reverse("agents:edit", args=[agent.id]),
            reverse("agents:delete", args=[agent.id]),
            reverse("agents:toggle", args=[agent.id]),
            reverse("agents:sync", args=[agent.id]),
            reverse("functions:create", args=[agent.id]),
            reverse("functions:toggle", args=[function.id]),
            reverse("functions:test", args=[function.id]),
            reverse("functions:delete", args=[function.id]),
        ]:
            assert hidden not in html, (page, hidden)
    function_page = pages["function"].content.decode()
    assert "check_property" in function_page
    assert "<fieldset disabled>" in function_page
    assert "Your role can see this function but not change it." in function_page
    assert ">Save</button>" not in function_page


def test_a_manager_sees_every_control():
    agent = make_agent(name="Lisa", sync_status=Agent.SyncStatus.FAILED, sync_error="Bad key")
    function = make_function(agent)
    client = client_for(Role.MANAGER)

    detail = client.get(reverse("agents:detail", args=[agent.id])).content.decode()
    functions = client.get(reverse("functions:list", args=[agent.id])).content.decode()
    function_page = client.get(reverse("functions:edit", args=[function.id])).content.decode()

    assert reverse("agents:edit", args=[agent.id]) in detail
    assert reverse("agents:sync", args=[agent.id]) in detail
    assert reverse("functions:create", args=[agent.id]) in functions
    assert reverse("functions:test", args=[function.id]) in functions
    assert reverse("functions:toggle", args=[function.id]) in functions
    assert ">Save</button>" in function_page and "<fieldset disabled>" not in function_page


def test_a_manager_creates_agents_and_functions_in_their_own_agency():
    coastal = make_agency(name="Coastal Homes")
    client = client_for(Role.MANAGER, agency=coastal)

    client.post(reverse("agents:create"), agent_form_data(name="Coastal Lisa"))
    agent = Agent.objects.get(name="Coastal Lisa")
    client.post(
        reverse("functions:create", args=[agent.id]),
        {
            "name": "check_property",
            "description": "Check a property.",
            "method": "POST",
            "endpoint": "https://api.example.com/properties",
            "auth_type": "none",
            "parameters": "",
            "response_mapping": "",
            "timeout": "8",
            "enabled": "on",
        },
    )

    function = CustomFunction.objects.get(agent=agent)
    assert agent.agency == coastal
    assert function.agency == coastal


def test_the_agent_list_shows_only_the_current_agencys_agents(staff_client, theirs):
    make_agent(name="Our agent")

    html = staff_client.get(reverse("agents:list")).content.decode()

    assert "Our agent" in html
    assert "Their agent" not in html


def test_the_agent_list_costs_the_same_queries_for_one_agent_or_many(staff_client):
    make_agent()
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("agents:list"))
    for _ in range(5):
        make_agent()
    make_agent(agency=make_agency())

    with CaptureQueriesContext(connection) as many:
        response = staff_client.get(reverse("agents:list"))

    assert response.status_code == 200
    assert len(many) == len(one)


def test_the_function_list_costs_the_same_queries_for_one_function_or_many(
    staff_client, django_assert_max_num_queries
):
    agent = make_agent()
    make_function(agent, name="first")
    with CaptureQueriesContext(connection) as one:
        staff_client.get(reverse("functions:list", args=[agent.id]))
    for n in range(5):
        make_function(agent, name=f"more_{n}")

    with django_assert_max_num_queries(len(one)):
        staff_client.get(reverse("functions:list", args=[agent.id]))


def test_function_names_are_unique_per_agent_not_per_install(staff_client, theirs):
    their_agent, _ = theirs
    ours = make_agent()

    make_function(ours, name="their_lookup")

    names = CustomFunction.objects.filter(name="their_lookup")
    assert {f.agency for f in names} == {their_agent.agency, ours.agency}


def test_the_tool_proxy_finds_the_agency_through_the_function(client, theirs, target, settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    agent, function = theirs
    function.endpoint = target.url("/properties")
    function.save()

    response = invoke(
        client, function, {"address": "1 Beach Rd"}, headers={"X-Conversation-Id": "conv_a1"}
    )

    invocation = FunctionInvocation.objects.get()
    assert response.status_code == 200
    assert invocation.agency == agent.agency
    assert invocation.function == function


def test_the_test_button_logs_the_invocation_in_the_functions_agency(
    staff_client, target, settings
):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    agent = make_agent()
    function = make_function(agent, endpoint=target.url("/properties"))

    staff_client.post(reverse("functions:test", args=[function.id]), {"address": "1 Beach Rd"})

    invocation = FunctionInvocation.objects.get()
    assert invocation.source == FunctionInvocation.Source.TEST
    assert invocation.agency == default_agency()


def test_an_agents_agency_name_placeholder_is_its_own_agencys_name(live_provider_settings):
    from agents.services import sync_agent

    fake = live_provider_settings
    agent = make_agent(agency=make_agency(name="Coastal Homes"))

    assert sync_agent(agent)

    created = fake.last_request("POST", "/v1/convai/agents/create").json
    placeholders = created["conversation_config"]["agent"]["dynamic_variables"][
        "dynamic_variable_placeholders"
    ]
    assert placeholders["agency_name"] == "Coastal Homes"


def test_the_admin_filters_agents_functions_and_invocations_by_agency(admin_client, theirs):
    their_agent, their_function = theirs
    ours = make_agent(name="Our agent")
    our_function = make_function(ours, name="our_lookup")
    FunctionInvocation.objects.create(function=their_function, status="ok", error="theirs-log")
    FunctionInvocation.objects.create(function=our_function, status="ok", error="ours-log")
    only = {"agency__id__exact": str(their_agent.agency_id)}

    agents = admin_client.get(reverse("admin:agents_agent_changelist"), only).content.decode()
    functions = admin_client.get(
        reverse("admin:functions_customfunction_changelist"), only
    ).content.decode()
    invocations = admin_client.get(
        reverse("admin:functions_functioninvocation_changelist"), only
    ).content.decode()

    assert "Their agent" in agents and "Our agent" not in agents
    assert "their_lookup" in functions and "our_lookup" not in functions
    assert invocations.count("their_lookup") >= 1 and "our_lookup" not in invocations
    assert "Coastal Homes" in agents  # the agency column and filter


def test_the_admin_sets_an_agents_agency_once(admin_client):
    agent = make_agent(name="Lisa")

    add = admin_client.get(reverse("admin:agents_agent_add")).content.decode()
    change = admin_client.get(
        reverse("admin:agents_agent_change", args=[agent.id])
    ).content.decode()

    assert 'name="agency"' in add
    assert 'name="agency"' not in change and "Test Agency" in change


def test_an_invocation_never_links_to_another_agencys_call(staff_client, theirs):
    their_agent, _ = theirs
    their_call = make_call(agent=their_agent, elevenlabs_conversation_id="conv_theirs_1")
    ours = make_agent()
    function = make_function(ours)
    FunctionInvocation.objects.create(
        function=function, conversation_id="conv_theirs_1", status="ok"
    )

    html = staff_client.get(reverse("functions:edit", args=[function.id])).content.decode()

    assert "conv_theirs_1" in html
    assert reverse("calls:detail", args=[their_call.id]) not in html
