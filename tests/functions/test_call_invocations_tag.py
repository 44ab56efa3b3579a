"""The call page lists the custom functions the agent used during that call."""

from types import SimpleNamespace

import pytest
from django.template import Context, Template

from functions.models import FunctionInvocation
from tests.factories import make_agency, make_agent, make_call
from tests.functions.helpers import make_function

pytestmark = pytest.mark.django_db

TAG = Template("{% load function_tags %}{% call_invocations call %}")


def test_the_tag_lists_the_invocations_of_the_calls_conversation(django_assert_num_queries):
    agent = make_agent()
    lookup = make_function(agent, name="check_property")
    booking = make_function(agent, name="book_inspection")
    call = make_call(agent=agent, elevenlabs_conversation_id="conv_tag_1")
    FunctionInvocation.objects.create(
        function=lookup, conversation_id="conv_tag_1", status="ok", http_status=200, latency_ms=40
    )
    FunctionInvocation.objects.create(
        function=booking,
        conversation_id="conv_tag_1",
        status="error",
        error="The endpoint answered HTTP 500.",
    )
    FunctionInvocation.objects.create(function=lookup, conversation_id="conv_other", status="ok")

    with django_assert_num_queries(1):
        html = TAG.render(Context({"call": call, "request": SimpleNamespace(agency=agent.agency)}))

    assert "check_property" in html and "book_inspection" in html
    assert "The endpoint answered HTTP 500." in html
    assert "conv_other" not in html


def test_another_agencys_invocations_with_the_same_conversation_id_are_not_shown():
    ours, theirs = make_agent(), make_agent(agency=make_agency())
    make_function(ours, name="ours_lookup")
    their_function = make_function(theirs, name="their_lookup")
    FunctionInvocation.objects.create(
        function=their_function, conversation_id="conv_shared", status="ok"
    )
    call = make_call(agent=ours, elevenlabs_conversation_id="conv_shared")

    html = TAG.render(Context({"call": call, "request": SimpleNamespace(agency=ours.agency)}))

    assert "their_lookup" not in html
    assert "The agent called no custom function in this call." in html


def test_a_call_without_invocations_says_so():
    call = make_call(elevenlabs_conversation_id=None)
    html = TAG.render(Context({"call": call, "request": SimpleNamespace(agency=None)}))
    assert "The agent called no custom function in this call." in html
