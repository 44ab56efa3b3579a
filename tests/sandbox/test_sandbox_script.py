"""What simulated calls say: deterministic per conversation id, shaped by the agent's template,
the caller's name and memories, and a campaign's variables."""

import pytest

from sandbox.script import SimulatedCall, seed_for, simulate_event

NOW = 1_763_800_000


def a_call(conversation_id="conv_sbx_test", **fields) -> SimulatedCall:
    values = {
        "conversation_id": conversation_id,
        "agent_id": "agent_sbx_1",
        "direction": "outbound",
        "external_number": "+61412345678",
        "agent_number": "+61280001234",
        "call_sid": "CAsbx1",
        "template": "property_sales",
        "agent_name": "Lisa",
        "dynamic_variables": {"caller_name": "Priya", "agency_name": "Harbour Realty"},
    }
    return SimulatedCall(**{**values, **fields})


def first_id_with(outcome: str, failure_rate: float = 0.5) -> str:
    """A conversation id whose call ends in `outcome` (event type or failure reason)."""
    for n in range(500):
        event = simulate_event(a_call(f"conv_sbx_{n}"), failure_rate=failure_rate, now=NOW)
        found = event["data"].get("failure_reason") or event["type"]
        if found == outcome:
            return f"conv_sbx_{n}"
    raise AssertionError(f"no id gives {outcome}")


def text_of(event) -> str:
    return "\n".join(turn["message"] for turn in event["data"]["transcript"])


def test_the_same_conversation_id_always_gives_the_same_call():
    first = simulate_event(a_call("conv_sbx_abc"), failure_rate=0.15, now=NOW)
    again = simulate_event(a_call("conv_sbx_abc"), failure_rate=0.15, now=NOW)
    assert first == again
    assert seed_for("conv_sbx_abc") == seed_for("conv_sbx_abc") != seed_for("conv_sbx_abd")


@pytest.mark.parametrize("outcome", ["no-answer", "busy", "post_call_transcription"])
def test_tests_can_pick_an_outcome_by_picking_the_conversation_id(outcome):
    conversation_id = first_id_with(outcome)
    event = simulate_event(a_call(conversation_id), failure_rate=0.5, now=NOW)
    if outcome == "post_call_transcription":
        assert event["type"] == outcome
    else:
        assert event["type"] == "call_initiation_failure"
        assert event["data"]["failure_reason"] == outcome


def test_the_failure_rate_sets_the_share_of_unanswered_calls():
    ids = [f"conv_sbx_{n}" for n in range(400)]
    failed = sum(
        simulate_event(a_call(i), failure_rate=0.15, now=NOW)["type"] == "call_initiation_failure"
        for i in ids
    )
    assert 30 <= failed <= 95  # ~60 expected
    assert all(
        simulate_event(a_call(i), failure_rate=0, now=NOW)["type"] == "post_call_transcription"
        for i in ids[:50]
    )
    assert all(
        simulate_event(a_call(i), failure_rate=1, now=NOW)["type"] == "call_initiation_failure"
        for i in ids[:50]
    )


def test_inbound_calls_are_always_answered():
    events = [
        simulate_event(a_call(f"conv_sbx_{n}", direction="inbound"), failure_rate=1, now=NOW)
        for n in range(20)
    ]
    assert {event["type"] for event in events} == {"post_call_transcription"}


def test_a_failed_call_keeps_the_rest_of_the_call_independent_of_the_rate():
    # Raising the rate only turns answered calls into failures; it never rewrites a transcript.
    conversation_id = first_id_with("post_call_transcription", failure_rate=0.9)
    low = simulate_event(a_call(conversation_id), failure_rate=0.0, now=NOW)
    high = simulate_event(a_call(conversation_id), failure_rate=0.9, now=NOW)
    assert low == high


@pytest.mark.parametrize(
    "template, words",
    [
        ("property_sales", ["price guide", "buy"]),
        ("property_manager", ["tradesperson", "Tenant at"]),
        ("custom", ["appraisal"]),
    ],
)
def test_the_conversation_follows_the_agents_template(template, words):
    for n in range(5):
        event = simulate_event(a_call(f"conv_sbx_t{n}", template=template), failure_rate=0, now=NOW)
        everything = (
            text_of(event)
            + event["data"]["analysis"]["data_collection_results"]["caller_memories"]["value"]
        )
        assert any(word in everything for word in words), (template, everything)


def test_sales_calls_mostly_book_inspections_with_new_facts_one_per_line():
    titles = []
    for n in range(20):
        event = simulate_event(a_call(f"conv_sbx_s{n}"), failure_rate=0, now=NOW)
        analysis = event["data"]["analysis"]
        titles.append(analysis["call_summary_title"])
        if analysis["call_summary_title"] == "Inspection booked":
            facts = analysis["data_collection_results"]["caller_memories"]["value"].split("\n")
            assert any(f.startswith("Budget around") for f in facts)
            assert any(f.startswith("Booked inspection of") for f in facts)
            assert analysis["call_successful"] == "success"
    assert titles.count("Inspection booked") > titles.count("Not buying yet") > 0


def test_campaign_variables_are_woven_into_the_conversation():
    variables = {
        "caller_name": "Priya",
        "agency_name": "Harbour Realty",
        "property_address": "5 Elm Street, Coogee",
        "open_home_time": "Saturday 10am",
        "voqo_call_id": "123",
    }
    event = simulate_event(a_call(dynamic_variables=variables), failure_rate=0, now=NOW)

    text = text_of(event)
    assert "5 Elm Street, Coogee" in text
    assert "open home time: Saturday 10am" in text
    assert "123" not in text
    assert "5 Elm Street, Coogee" in event["data"]["analysis"]["transcript_summary"]


def test_known_memories_are_mentioned_and_an_unknown_caller_gives_a_name():
    known = simulate_event(
        a_call(
            dynamic_variables={
                "caller_name": "Priya",
                "caller_context": "Notes: VIP\nKnown facts:\n- Has two dogs",
            }
        ),
        failure_rate=0,
        now=NOW,
    )
    assert "has two dogs" in text_of(known)
    assert known["data"]["analysis"]["data_collection_results"]["caller_name"]["value"] == "Priya"

    stranger = simulate_event(
        a_call(dynamic_variables={"caller_name": "there"}), failure_rate=0, now=NOW
    )
    name = stranger["data"]["analysis"]["data_collection_results"]["caller_name"]["value"]
    assert name and name != "there"
    assert f"it's {name}" in text_of(stranger)
