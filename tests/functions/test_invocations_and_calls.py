"""Every tool call is logged with its conversation, and shown with the call it belongs to."""

import pytest
from django.urls import reverse

from functions.models import FunctionInvocation
from tests.factories import make_agent, make_call
from tests.functions.helpers import invoke, make_function

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allow_localhost")]


def test_a_tool_call_shows_on_its_call_page_and_links_there_from_the_function(
    client, staff_client, target
):
    agent = make_agent()
    function = make_function(agent, endpoint=target.url("/properties"))
    call = make_call(agent=agent, elevenlabs_conversation_id="conv_live_42")

    # As ElevenLabs sends it: the conversation id in the header mapped to the dynamic variable.
    response = invoke(
        client, function, {"address": "1 Beach Rd"}, headers={"X-Conversation-Id": "conv_live_42"}
    )
    assert response.status_code == 200

    call_page = staff_client.get(reverse("calls:detail", args=[call.id])).content.decode()
    assert "Custom functions used" in call_page and "check_property" in call_page

    function_page = staff_client.get(reverse("functions:edit", args=[function.id]))
    assert reverse("calls:detail", args=[call.id]) in function_page.content.decode()


def test_an_invocation_whose_call_is_not_recorded_yet_shows_its_conversation_id(
    client, staff_client, target
):
    function = make_function(make_agent(), endpoint=target.url("/properties"))
    invoke(client, function, {"address": "1 Beach Rd"}, headers={"X-Conversation-Id": "conv_new"})

    page = staff_client.get(reverse("functions:edit", args=[function.id])).content.decode()

    assert "conv_new" in page
    assert "/calls/" not in page.split("Recent invocations", 1)[1]


def test_the_function_page_links_calls_in_constant_queries(
    staff_client, django_assert_max_num_queries
):
    agent = make_agent()
    function = make_function(agent)
    for n in range(30):
        make_call(agent=agent, elevenlabs_conversation_id=f"conv_many_{n}")
        FunctionInvocation.objects.create(
            function=function, conversation_id=f"conv_many_{n}", status="ok"
        )

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse("functions:edit", args=[function.id]))

    assert response.content.decode().count('title="Open the call"') == 30
