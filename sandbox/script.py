"""What a sandbox call "says": plausible real-estate conversations as ElevenLabs events.

Pure functions, no database and no network. The outcome, the caller's answers and every
detail are drawn from `random.Random(seed_for(conversation_id))`, so one conversation id
always gives the same call (tests pick outcomes by picking ids).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS, fill_variables

SALES = "property_sales"
MANAGER = "property_manager"

FIRST_NAMES = ("Priya", "Liam", "Olivia", "Noah", "Mei", "Jack", "Charlotte", "Arjun", "Zoe", "Tom")
ADDRESSES = (
    "12 Ocean Street, Bondi",
    "4/88 Pittwater Road, Manly",
    "27 Harbour View Crescent, Mosman",
    "9 Wattle Avenue, Marrickville",
    "31 Jacaranda Lane, Paddington",
)
SUBURBS = ("Bondi", "Coogee", "Newtown", "Chatswood", "Randwick", "Balmain")
PRICE_GUIDES = ("$1.2 million", "$1.45 million", "$1.8 million", "$950,000", "$2.1 million")
BUDGETS = ("$1.1 million", "$1.5 million", "$1.9 million", "$900,000", "$2 million")
INSPECTION_SLOTS = (
    ("Saturday", "10am"),
    ("Saturday", "11:30am"),
    ("Thursday", "5:30pm"),
    ("Wednesday", "12:15pm"),
)
MAINTENANCE_ISSUES = (
    ("the hot water system has stopped working", "No hot water"),
    ("the kitchen tap is leaking under the sink", "Leaking kitchen tap"),
    ("the dishwasher won't drain", "Dishwasher not draining"),
    ("a bedroom window latch is broken", "Broken window latch"),
)
ACCESS_TIMES = ("Tuesday morning", "any weekday after 3pm", "Friday before noon")
# Variables the caller may have been sent by a campaign, worth saying out loud.
ADDRESS_VARIABLES = ("property_address", "address", "listing_address", "property")
FAILURE_REASONS = ("no-answer", "no-answer", "busy")  # unanswered calls outnumber busy lines


@dataclass(frozen=True)
class SimulatedCall:
    """Everything the sandbox knows when a simulated call connects."""

    conversation_id: str
    agent_id: str
    direction: str  # "inbound" | "outbound"
    external_number: str
    agent_number: str
    call_sid: str
    template: str = "custom"
    agent_name: str = ""
    greeting: str = ""
    first_message: str = ""
    voice_id: str = ""  # the caller's own voice (voices), when not the agent's
    dynamic_variables: dict[str, Any] = field(default_factory=dict)
    # The agent's search_listings tool call, as the sandbox made it through Voqo's proxy:
    # {"arguments": {...}, "answer": {...}}; None when the agent has no such tool.
    listing_search: dict[str, Any] | None = None


def seed_for(conversation_id: str) -> int:
    """A stable seed for `conversation_id` (Python's own `hash()` changes per process)."""
    return int.from_bytes(hashlib.sha256(conversation_id.encode()).digest()[:8], "big")


def known_facts(caller_context: str) -> list[str]:
    """The memories in a `caller_context` block ("- fact" lines)."""
    return [line[2:].strip() for line in caller_context.splitlines() if line.startswith("- ")]


def campaign_variables(dynamic_variables: dict[str, Any]) -> dict[str, str]:
    """Variables beyond the fixed caller set (a campaign's columns), without internal ids."""
    return {
        key: str(value)
        for key, value in dynamic_variables.items()
        if key not in CALLER_VARIABLE_PLACEHOLDERS
        and not key.startswith("voqo_")
        and str(value).strip()
    }


def simulate_event(call: SimulatedCall, *, failure_rate: float, now: int | None = None) -> dict:
    """The webhook event that ends `call`: `post_call_transcription`, or for an unanswered
    outbound call `call_initiation_failure` (a `failure_rate` share of outbound calls)."""
    rng = random.Random(seed_for(call.conversation_id))
    now = int(time.time()) if now is None else now
    # Always draw, so the rest of the call does not depend on the failure rate.
    roll = rng.random()
    reason = rng.choice(FAILURE_REASONS)
    if call.direction == "outbound" and roll < failure_rate:
        return _initiation_failure(call, reason, now)
    return _transcription(call, rng, now)


def _initiation_failure(call: SimulatedCall, reason: str, now: int) -> dict:
    twilio_status = "busy" if reason == "busy" else "no-answer"
    return {
        "type": "call_initiation_failure",
        "event_timestamp": now,
        "data": {
            "agent_id": call.agent_id,
            "conversation_id": call.conversation_id,
            "failure_reason": reason,
            "metadata": {
                "type": "twilio",
                "body": {
                    "CallSid": call.call_sid,
                    "CallStatus": twilio_status,
                    "Direction": "outbound-api",
                    "From": call.agent_number,
                    "To": call.external_number,
                    "SipResponseCode": "486" if reason == "busy" else "480",
                    "Duration": "0",
                    "CallDuration": "0",
                    "ApiVersion": "2010-04-01",
                },
            },
        },
    }


@dataclass
class _Script:
    turns: list[tuple[str, str]]
    summary: str
    title: str
    successful: str
    facts: list[str]
    # The outcome's data-collection values: "outcome", "outcome_confidence" and details by
    # `<outcome>__<detail>`; a (weekday, "10am") pair stands for the next such moment.
    outcome: dict[str, Any] = field(default_factory=dict)


def _transcription(call: SimulatedCall, rng: random.Random, now: int) -> dict:
    variables = {**CALLER_VARIABLE_PLACEHOLDERS, **call.dynamic_variables}
    variables["agent_name"] = variables.get("agent_name") or call.agent_name or "the assistant"
    variables["agency_name"] = variables.get("agency_name") or "the agency"
    given_name = str(variables.get("caller_name") or "").strip()
    name_known = given_name.lower() not in ("", "there", "unknown caller")
    name = given_name if name_known else rng.choice(FIRST_NAMES)
    extras = campaign_variables(call.dynamic_variables)
    address = next((extras.pop(key) for key in ADDRESS_VARIABLES if key in extras), None)
    facts = known_facts(str(variables.get("caller_context") or ""))

    opening = _opening(call, variables, name if name_known else "")
    tool_turns: list[tuple[str, str]] = []
    tool_entries: dict[int, dict[str, Any]] = {}
    found = _searched_listing(call)
    if found is not None and call.direction == "inbound" and call.template == SALES:
        listing, suburb = found
        address = address or listing["address"]
        tool_turns = [
            (
                "user",
                f"Hi, I saw a place in {suburb} online. What do you have there at the moment?",
            ),
            ("agent", "Let me check our current listings."),
            ("agent", _listing_line(listing)),
        ]
        # The middle turn carries the tool call and its result, as ElevenLabs records them.
        tool_entries[2] = _tool_entries(call, rng)
    writer = {SALES: _sales_script, MANAGER: _maintenance_script}.get(
        call.template, _general_script
    )
    script = writer(
        rng=rng,
        call=call,
        agent=variables["agent_name"],
        agency=variables["agency_name"],
        name=name,
        name_known=name_known,
        address=address,
        facts=facts,
        extras=extras,
    )
    turns = [("agent", opening), *tool_turns, *script.turns]
    collected = {
        key: _moment(value, now) if isinstance(value, tuple) else value
        for key, value in script.outcome.items()
    }

    transcript = []
    at = 0
    for index, (role, message) in enumerate(turns):
        if index:
            at += rng.randint(3, 9)
        entry: dict[str, Any] = {"role": role, "message": message, "time_in_call_secs": at}
        if role == "agent":
            entry.update({"tool_calls": [], "tool_results": [], "interrupted": False})
            entry.update(tool_entries.get(index, {}))
        transcript.append(entry)
    duration = at + rng.randint(4, 12)
    started = now - duration - 2

    override: dict[str, Any] = {}
    if call.first_message:
        override = {"agent": {"first_message": call.first_message}}
    if call.voice_id:
        override["tts"] = {"voice_id": call.voice_id}
    return {
        "type": "post_call_transcription",
        "event_timestamp": now,
        "data": {
            "agent_id": call.agent_id,
            "conversation_id": call.conversation_id,
            "status": "done",
            "user_id": None,
            "transcript": transcript,
            "metadata": {
                "start_time_unix_secs": started,
                "accepted_time_unix_secs": started + 1,
                "call_duration_secs": duration,
                "cost": duration * 2,
                "termination_reason": "end_call tool was called.",
                "phone_call": {
                    "type": "twilio",
                    "direction": call.direction,
                    "phone_number_id": "phnum_sandbox",
                    "agent_number": call.agent_number,
                    "external_number": call.external_number,
                    "call_sid": call.call_sid,
                    "call_result": "answered",
                },
                "batch_call": None,
            },
            "analysis": {
                "call_successful": script.successful,
                "transcript_summary": script.summary,
                "call_summary_title": script.title,
                "evaluation_criteria_results": {
                    "need_handled": {
                        "criteria_id": "need_handled",
                        "result": script.successful,
                        "rationale": script.title,
                    }
                },
                "data_collection_results": {
                    "caller_name": {
                        "data_collection_id": "caller_name",
                        "value": name,
                        "rationale": "The caller gave their name."
                        if not name_known
                        else "The agent used the caller's name and they did not correct it.",
                    },
                    "caller_memories": {
                        "data_collection_id": "caller_memories",
                        "value": "\n".join(script.facts),
                        "rationale": "Facts the caller stated during the call.",
                    },
                    **{
                        key: {
                            "data_collection_id": key,
                            "value": value,
                            "rationale": "Stated during the call.",
                        }
                        for key, value in collected.items()
                    },
                },
            },
            "conversation_initiation_client_data": {
                "dynamic_variables": dict(call.dynamic_variables),
                "conversation_config_override": override,
            },
        },
    }


def _searched_listing(call: SimulatedCall) -> tuple[dict[str, Any], str] | None:
    """The first listing the agent's search_listings call answered, and the suburb asked."""
    if not call.listing_search:
        return None
    results = (call.listing_search.get("answer") or {}).get("results") or []
    if not results or not isinstance(results[0], dict):
        return None
    return results[0], str(call.listing_search.get("arguments", {}).get("suburb", "the area"))


def _listing_line(listing: dict[str, Any]) -> str:
    parts = [f"We have {listing.get('address', 'a property')}"]
    if listing.get("features"):
        parts.append(f" ({listing['features']})")
    parts.append(f", for {listing.get('for', 'sale')}, price {listing.get('price', 'on request')}.")
    inspection = listing.get("next_inspection", "")
    if inspection and not inspection.startswith("none"):
        parts.append(f" The next open inspection is {inspection}.")
    else:
        parts.append(" There's no open inspection booked yet; I can arrange a private one.")
    return "".join(parts)


def _tool_entries(call: SimulatedCall, rng: random.Random) -> dict[str, Any]:
    request_id = f"toolu_{rng.getrandbits(48):012x}"
    search = call.listing_search or {}
    return {
        "tool_calls": [
            {
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_listings",
                "params_as_json": json.dumps(search.get("arguments", {})),
                "tool_has_been_called": True,
            }
        ],
        "tool_results": [
            {
                "type": "webhook",
                "request_id": request_id,
                "tool_name": "search_listings",
                "result_value": json.dumps(search.get("answer", {})),
                "is_error": "error" in (search.get("answer") or {}),
                "tool_has_been_called": True,
            }
        ],
    }


def _opening(call: SimulatedCall, variables: dict[str, Any], known_name: str) -> str:
    if call.first_message:
        return fill_variables(call.first_message, variables)
    if call.direction == "outbound":
        hello = f"Hi {known_name}" if known_name else "Hi there"
        who = f"{variables['agent_name']} from {variables['agency_name']}"
        return f"{hello}, it's {who}. Is now a good time?"
    if call.greeting:
        return fill_variables(call.greeting, variables)
    return f"Hi, thanks for calling {variables['agency_name']}, this is {variables['agent_name']}."


def _introduce(name: str, name_known: bool, outbound: bool, opener: str) -> str:
    if name_known:
        return f"Yes, speaking. {opener}" if outbound else opener
    return f"Hi, it's {name}. {opener}"


def _mention(facts: list[str]) -> str:
    return f" Last time you mentioned: {facts[0][0].lower()}{facts[0][1:]}." if facts else ""


def _extras_line(extras: dict[str, str]) -> str:
    if not extras:
        return ""
    notes = "; ".join(f"{key.replace('_', ' ')}: {value}" for key, value in extras.items())
    return f" I also have a note here — {notes}."


def _sales_script(*, rng, call, agent, agency, name, name_known, address, facts, extras) -> _Script:
    address = address or rng.choice(ADDRESSES)
    price, budget = rng.choice(PRICE_GUIDES), rng.choice(BUDGETS)
    day, hour = rng.choice(INSPECTION_SLOTS)
    months = rng.choice((2, 3, 6))
    outbound = call.direction == "outbound"
    books = rng.random() < 0.75
    turns = []
    if outbound:
        turns += [
            ("user", _introduce(name, name_known, True, "Sure, what's it about?")),
            (
                "agent",
                f"I'm calling about {address}, which you enquired about.{_mention(facts)}"
                f"{_extras_line(extras)} Are you still looking to buy?",
            ),
        ]
    else:
        turns += [
            (
                "user",
                _introduce(
                    name, name_known, False, f"I saw {address} online. Is it still available?"
                ),
            ),
            (
                "agent",
                f"It is, thanks {name}.{_mention(facts)}{_extras_line(extras)} "
                "Are you buying to live in or as an investment?",
            ),
        ]
    if books:
        turns += [
            (
                "user",
                f"To live in. We'd like to move within {months} months. What's the price guide?",
            ),
            (
                "agent",
                f"The guide is {price}. There's an inspection on {day} at {hour} — "
                "shall I book you in?",
            ),
            ("user", f"Yes please. Our budget is around {budget}, so we'd want to see it first."),
            (
                "agent",
                f"Done: you're booked for {day} at {hour} at {address}. I'll text you the details.",
            ),
            ("user", f"Great, thanks {agent}."),
            ("agent", f"Thanks {name}, see you on {day}!"),
        ]
        return _Script(
            turns=turns,
            summary=(
                f"{name} is interested in {address} (guide {price}), has a budget around "
                f"{budget}, hopes to move within {months} months and booked an inspection "
                f"for {day} at {hour}."
            ),
            title="Inspection booked",
            successful="success",
            facts=[
                f"Interested in {address}",
                f"Budget around {budget}",
                f"Wants to move within {months} months",
                f"Booked inspection of {address} for {day} {hour}",
            ],
            outcome={
                "outcome": "inspection_booked",
                "outcome_confidence": 0.93,
                "inspection_booked__listing": address,
                "inspection_booked__time": (day, hour),
            },
        )
    turns += [
        ("user", "Not right now — we've decided to wait until after the school year."),
        ("agent", "No problem. Shall I let you know when similar homes come up in the area?"),
        ("user", "Yes, that would be good. Email is best."),
        ("agent", f"Will do. Thanks for your time, {name}."),
    ]
    return _Script(
        turns=turns,
        summary=(
            f"{name} is no longer looking at {address} for now and asked for email alerts "
            "about similar homes."
        ),
        title="Not buying yet",
        successful="failure",
        facts=[
            "Pausing the search until after the school year",
            "Prefers email for listing alerts",
        ],
        outcome=_buyer_outcome(call, address, budget),
    )


def _maintenance_script(
    *, rng, call, agent, agency, name, name_known, address, facts, extras
) -> _Script:
    address = address or rng.choice(ADDRESSES)
    issue, short = rng.choice(MAINTENANCE_ISSUES)
    access = rng.choice(ACCESS_TIMES)
    urgent = short == "No hot water"
    turns = []
    if call.direction == "outbound":
        turns += [
            ("user", _introduce(name, name_known, True, "Is this about the repair?")),
            (
                "agent",
                "It is. Can you confirm the property address and what's wrong?"
                f"{_mention(facts)}{_extras_line(extras)}",
            ),
        ]
    else:
        turns += [
            (
                "user",
                _introduce(
                    name,
                    name_known,
                    False,
                    "I'm renting through you and I need to report a problem.",
                ),
            ),
            (
                "agent",
                f"Of course, {name}.{_mention(facts)}{_extras_line(extras)} "
                "Which property is it, and what's happened?",
            ),
        ]
    turns += [
        ("user", f"It's {address} — {issue}."),
        ("agent", "Sorry to hear that. Is anyone at risk, and when can a tradesperson get in?"),
        ("user", f"No one's at risk. {access.capitalize()} suits me."),
        (
            "agent",
            f"I've logged it{' as urgent' if urgent else ''} and asked for a tradesperson "
            f"{access}. You'll get a text to confirm.",
        ),
        ("user", "Thanks."),
        ("agent", f"You're welcome, {name}. Bye for now."),
    ]
    return _Script(
        turns=turns,
        summary=(
            f"{name}, a tenant at {address}, reported that {issue}; "
            f"access {access}{' (urgent)' if urgent else ''}."
        ),
        title=f"Maintenance: {short.lower()}",
        successful="success",
        facts=[
            f"Tenant at {address}",
            f"Reported: {short.lower()}",
            f"Available for access {access}",
        ],
        outcome={
            "outcome": "maintenance_request",
            "outcome_confidence": 0.95,
            "maintenance_request__address": address,
            "maintenance_request__issue": short,
            "maintenance_request__urgency": "urgent" if urgent else "routine",
        },
    )


def _general_script(
    *, rng, call, agent, agency, name, name_known, address, facts, extras
) -> _Script:
    suburb = rng.choice(SUBURBS)
    after = rng.choice(("5pm", "6pm", "lunchtime"))
    place = address or f"a home in {suburb}"
    said = address or f"my place in {suburb}"
    selling = f"I'm thinking of selling {said} and want to know what it's worth."
    if call.direction == "outbound":
        turns = [
            ("user", _introduce(name, name_known, True, "What's it about?")),
            (
                "agent",
                f"I'm following up on your recent enquiry.{_mention(facts)}{_extras_line(extras)} "
                "How can we help?",
            ),
            ("user", selling),
        ]
    else:
        turns = [("user", _introduce(name, name_known, False, selling))]
    turns += [
        (
            "agent",
            f"Happy to help, {name}. I'll ask one of our agents to arrange an appraisal."
            + ("" if call.direction == "outbound" else f"{_mention(facts)}{_extras_line(extras)}")
            + " When's a good time to call?",
        ),
        ("user", f"Weekdays after {after} is best."),
        ("agent", f"Noted — someone from {agency} will call you after {after}. Anything else?"),
        ("user", "No, that's all, thanks."),
    ]
    return _Script(
        turns=turns,
        summary=(
            f"{name} is considering selling {place} and asked for an appraisal call after {after}."
        ),
        title="Appraisal request",
        successful="success",
        facts=[f"Considering selling {place}", f"Prefers calls after {after}"],
        outcome=_seller_outcome(call, place, after),
    )


# -- the outcome ElevenLabs' analysis would extract ----------------------------------------
# Drawn from a second generator, so adding outcomes changed no earlier transcript.

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _outcome_rng(call: SimulatedCall) -> random.Random:
    return random.Random(seed_for(call.conversation_id) ^ 0x5EED)


def _dollars(text: str) -> int:
    """ "$1.5 million" → 1500000, "$900,000" → 900000."""
    number = float(text.replace("$", "").replace(",", "").replace(" million", ""))
    return int(number * 1_000_000) if "million" in text else int(number)


def _buyer_outcome(call: SimulatedCall, address: str, budget: str) -> dict[str, Any]:
    pick = _outcome_rng(call)
    if pick.random() < 0.5:
        return {"outcome": "not_interested", "outcome_confidence": 0.71}
    suburb = address.rsplit(",", 1)[-1].strip()
    return {
        "outcome": "buyer_enquiry",
        "outcome_confidence": 0.82,
        "buyer_enquiry__suburbs": ", ".join(dict.fromkeys([suburb, pick.choice(SUBURBS)])),
        "buyer_enquiry__budget": _dollars(budget),
        "buyer_enquiry__bedrooms": pick.choice((2, 3, 3, 4)),
        "buyer_enquiry__finance_status": pick.choice(
            ("pre-approved", "arranging finance", "cash buyer")
        ),
    }


def _seller_outcome(call: SimulatedCall, place: str, after: str) -> dict[str, Any]:
    pick = _outcome_rng(call)
    hour = {"lunchtime": "12:30pm"}.get(after, after)
    day = pick.choice(WEEKDAYS[:5])
    roll = pick.random()
    if roll < 0.4:
        return {
            "outcome": "appraisal_booked",
            "outcome_confidence": 0.88,
            "appraisal_booked__address": place,
            "appraisal_booked__preferred_time": (day, hour),
        }
    if roll < 0.7:
        return {
            "outcome": "seller_lead",
            "outcome_confidence": 0.84,
            "seller_lead__address": place,
            "seller_lead__timeframe": pick.choice(("within 3 months", "this spring", "next year")),
        }
    return {
        "outcome": "callback_requested",
        "outcome_confidence": 0.9,
        "callback_requested__when": (day, hour),
    }


def _moment(slot: tuple[str, str], now: int) -> str:
    """The next ("Saturday", "10am") after `now`, as ISO 8601 local time (no zone)."""
    day, hour = slot
    clock = datetime.strptime(hour.replace(" ", "").upper(), "%I:%M%p" if ":" in hour else "%I%p")
    today = datetime.fromtimestamp(now)
    ahead = (WEEKDAYS.index(day) - today.weekday()) % 7 or 7
    moment = (today + timedelta(days=ahead)).replace(
        hour=clock.hour, minute=clock.minute, second=0, microsecond=0
    )
    return moment.isoformat(timespec="minutes")
