"""What an agent knows about the caller when a call starts (inbound or outbound)."""

import functools
import json
import re
from datetime import datetime
from typing import NamedTuple

from django.apps import apps
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.utils import timezone

from agencies.models import Agency
from contacts.models import Contact, Memory
from contacts.profile import profile_lines
from phone_numbers.selectors import called_number_cache_key, called_number_profile
from voqo.db import statement_cursor
from voqo.dynamic_variables import CALLER_VARIABLE_PLACEHOLDERS, fill_variables
from voqo.events import caller_voice_needed
from voqo.models import agency_zone
from voqo.phones import try_normalize_phone
from voqo.redis_cache import get_many_recent

# Enough for the LLM to be personal without crowding the prompt (ElevenLabs bills tokens).
CALLER_CONTEXT_MAX_CHARS = 1500
CALLER_CONTEXT_MAX_MEMORIES = 20


def caller_context(contact: Contact | None, memories: list[str]) -> str:
    """Notes, the profile, then memories newest first, capped to CALLER_CONTEXT_MAX_CHARS."""
    if contact is None:
        return ""
    parts = []
    if contact.notes.strip():
        parts.append(f"Notes: {contact.notes.strip()}")
    if lines := profile_lines(getattr(contact, "profile", None)):
        parts.append("Profile:\n" + "\n".join(f"- {line}" for line in lines))
    if memories:
        parts.append("Known facts:\n" + "\n".join(f"- {m}" for m in memories))
    text = "\n".join(parts)
    if len(text) > CALLER_CONTEXT_MAX_CHARS:
        text = text[: CALLER_CONTEXT_MAX_CHARS - 1].rsplit("\n", 1)[0] + "\n…"
    return text


def recent_memories(contact: Contact | None) -> list[str]:
    if contact is None:
        return []
    return list(
        Memory.objects.filter(contact=contact)
        .order_by("-created_at")
        .values_list("content", flat=True)[:CALLER_CONTEXT_MAX_MEMORIES]
    )


def caller_variables(
    *,
    phone: str,
    contact: Contact | None,
    agent_name: str = "",
    now: datetime | None = None,
    memories: list[str] | None = None,
    agency: Agency | None,
) -> dict[str, str]:
    """The full set of dynamic variables for a call of `agency` with `phone` (every key
    always present). `agency` gives the name and zone; None (an agent nobody here knows):
    no agency name, the install's zone.

    `memories` (newest first) saves the query when the caller already has them.
    """
    if memories is None:
        memories = recent_memories(contact)
    # The name and zone are fields of the agency (Setting.all_values takes them from the
    # Agency row too): no settings read on the ring.
    local = (now or timezone.now()).astimezone(agency_zone(agency))
    variables = dict(CALLER_VARIABLE_PLACEHOLDERS)
    variables.update(
        {
            "caller_name": contact.name if contact and contact.name else "there",
            "caller_phone": phone,
            "agency_name": agency.name if agency is not None else "",
            "agent_name": agent_name,
            "current_date": local.strftime("%A %-d %B %Y"),
            "current_time": local.strftime("%-I:%M %p"),
            "caller_context": caller_context(contact, memories),
        }
    )
    return variables


# --- Conversation initiation (inbound personalisation) -------------------------------

_AGENT_ID = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
AGENT_PROFILE_CACHE_SECONDS = 60
# A disabled agent still answers (ElevenLabs routes the number to it; initiation data cannot
# refuse a call), so the caller hears why nobody can help rather than a normal greeting.
DISABLED_AGENT_GREETING = (
    "Hi {{caller_name}}, thanks for calling {{agency_name}}. This line isn't taking calls "
    "right now. Please call back a little later."
)


def _agent_key(elevenlabs_agent_id: str) -> str:
    return f"voqo:initiation-agent:{elevenlabs_agent_id}"


_UNREAD = object()


def agent_profile(elevenlabs_agent_id: str, cached: object = _UNREAD) -> dict | None:
    """Name, greeting, enabled flag and agency (id, name, zone) of the agent with this
    ElevenLabs id (cached 60 s). `cached`: the cache's value, already read (None: absent).

    Cached because the initiation webhook must answer within milliseconds; a renamed or
    disabled agent is seen within a minute. None when no agent has that id.
    """
    if not _AGENT_ID.match(elevenlabs_agent_id or ""):
        return None
    key = _agent_key(elevenlabs_agent_id)
    profile = cache.get(key) if cached is _UNREAD else cached
    if profile is None:
        from agents.models import Agent

        fields = [
            "name",
            "greeting_message",
            "enabled",
            "agency_id",
            "agency__name",
            "agency__time_zone",
        ]
        row = (
            Agent.objects.filter(elevenlabs_agent_id=elevenlabs_agent_id)
            .order_by("-enabled", "-updated_at")
            .values(*fields)
            .first()
        )
        profile = row or {}
        cache.set(key, profile, AGENT_PROFILE_CACHE_SECONDS)
    return profile or None


class AgencyFacts(NamedTuple):
    """What the answer reads of an agency (an Agency has the same attributes)."""

    pk: object
    name: str
    time_zone: str


class KnownCaller(NamedTuple):
    """The contact fields personalisation reads, without building a model instance."""

    name: str
    notes: str
    profile: dict
    voice_id: str = ""
    voice_sample_id: object = None


class CallerVoiceChoice(NamedTuple):
    """The voice mapped to the caller (voices app): a ready voice id, else the sample still
    to be cloned; both empty when the caller hears the agent's own voice."""

    voice_id: str = ""
    sample_id: object = None


NO_VOICE = CallerVoiceChoice()


@functools.cache
def _caller_sql() -> str:
    q = connection.ops.quote_name
    contact, memory = Contact._meta, Memory._meta
    contact_fk = memory.get_field("contact").column
    agency_column = contact.get_field("agency").column
    # A number mapped to a voice (voices app), whether or not a contact has that number:
    # joined in so the answer stays one query. The dummy row keeps a row when there is no
    # contact. Served by the unique (agency_id, phone) indexes; the mapping's `phone <> ''`
    # term lets SQLite use its partial unique index: most mappings belong to a contact and
    # have no number, so the plain (agency_id, phone) index looks unselective to the planner
    # (ANALYZE sees one value) and it scanned every mapping of the agency on each ring.
    number_voice, number_join = "NULL, NULL", ""
    if apps.is_installed("voices"):
        mapping = apps.get_model("voices", "CallerVoice")._meta
        number_voice = f"v.{q('voice_id')}, v.{q(mapping.get_field('sample').column)}"
        number_join = (
            f"LEFT JOIN {q(mapping.db_table)} v "
            f"ON v.{q(mapping.get_field('agency').column)} = %(agency)s "
            f"AND v.{q('phone')} = %(phone)s AND NOT (v.{q('phone')} = '') "
        )
    return (
        f"SELECT c.{q('name')}, c.{q('notes')}, m.{q('content')}, c.{q('profile')}, "
        f"c.{q('voice_id')}, c.{q('voice_sample_id')}, c.{q(contact.pk.column)}, {number_voice} "
        f"FROM (SELECT 1 AS {q('one')}) k "
        f"LEFT JOIN {q(contact.db_table)} c "
        f"ON c.{q(agency_column)} = %(agency)s AND c.{q('phone')} = %(phone)s "
        f"LEFT JOIN {q(memory.db_table)} m "
        f"ON m.{q(contact_fk)} = c.{q(contact.pk.column)} "
        f"{number_join}"
        f"ORDER BY m.{q('created_at')} DESC LIMIT {CALLER_CONTEXT_MAX_MEMORIES}"
    )


def caller_for_phone(
    phone: str, *, agency_id
) -> tuple[KnownCaller | None, list[str], CallerVoiceChoice]:
    """The agency's contact with this E.164 number, its newest memories and the caller's
    mapped voice, in one indexed query.

    The voice: the contact's own mapping wins; without one, the number's mapping (voices
    app) applies, to a contact and to a caller who is not a contact alike.

    Raw SQL on purpose: this runs on every inbound ring, and building two ORM queries cost
    more than the rest of the answer (PRODUCT.md §11: p99 under 15 ms).
    """
    if not phone:
        return None, [], NO_VOICE
    field = Contact._meta.get_field("agency")
    db = connections[DEFAULT_DB_ALIAS]  # once: each use of the `connection` proxy looks it up
    # Named parameters: Django's SQLite backend rewrites positional ones with a regex on
    # every execute, which cost a tenth of the answer.
    params = {"agency": field.get_db_prep_value(agency_id, db), "phone": phone}
    with statement_cursor(db) as cursor:
        cursor.execute(_caller_sql(), params)
        rows = cursor.fetchall()
    first = rows[0]
    number_voice = CallerVoiceChoice(first[7] or "", None if first[7] else first[8])
    if first[6] is None:  # no contact has this number
        return None, [], number_voice
    name, notes, profile = first[0], first[1], first[3]
    if isinstance(profile, str):  # SQLite hands JSON back as text, PostgreSQL as a dict
        try:
            profile = json.loads(profile)
        except ValueError:
            profile = {}
    caller = KnownCaller(
        name or "",
        notes or "",
        profile if isinstance(profile, dict) else {},
        voice_id=first[4] or "",
        voice_sample_id=first[5],
    )
    own_voice = CallerVoiceChoice(caller.voice_id, caller.voice_sample_id)
    voice = own_voice if own_voice != NO_VOICE else number_voice
    return caller, [row[2] for row in rows if row[2] is not None], voice


def initiation_answer(
    *,
    caller_id: str,
    elevenlabs_agent_id: str,
    called_number: str = "",
    agency: Agency | None = None,
) -> dict:
    """The answer to ElevenLabs' conversation-initiation webhook for an inbound call.

    The called number decides the agency, agent and greeting (phone_numbers): a number one
    agency answers on is that agency's call whichever agent id ElevenLabs sends; without a
    known number, the agent id decides. With `agency` (the request came to that agency's own
    URL), a number or agent of any other agency is unknown. Always a valid answer with every
    dynamic variable (an unknown caller is "there" with no context; an unknown agent gets no
    greeting override; a disabled agent's caller hears DISABLED_AGENT_GREETING). The contact
    is looked up within that agency only: a caller is nobody to another agency, and to an
    unknown agent. One query — the contact by agency and phone with its memories; the number
    and the agent (with its agency's name and zone) come from caches.
    """
    raw = (caller_id or "").strip()
    phone = raw if _E164.match(raw) else (try_normalize_phone(raw) if raw else None)
    # The number's and the agent's profiles in one cache read (one Redis round trip, not
    # two), which under load is answered from what Redis told this process within the last
    # second: a number's new routing reaches the other processes within that second.
    number_key = called_number_cache_key(called_number) if _E164.match(called_number or "") else ""
    agent_key = (
        _agent_key(elevenlabs_agent_id) if _AGENT_ID.match(elevenlabs_agent_id or "") else ""
    )
    cached = get_many_recent([key for key in (number_key, agent_key) if key])
    number = called_number_profile(called_number, cached.get(number_key)) if number_key else None
    if number is not None and agency is not None and number["agency"].pk != agency.pk:
        number = None
    if number is not None:
        agency = number["agency"]
        profile = number["agent"]
        if profile is None:
            # A number without an agent here: the agent ElevenLabs names, if it is this agency's.
            named = agent_profile(elevenlabs_agent_id, cached.get(agent_key))
            profile = named if named and named.get("agency_id") == agency.pk else None
    else:
        profile = agent_profile(elevenlabs_agent_id, cached.get(agent_key))
        if profile and agency is not None and profile["agency_id"] != agency.pk:
            profile = None
        if agency is None and profile:
            # The cached profile carries what the answer needs of its agency: no query for
            # it, and no model instance (building one fills every field's default).
            agency = AgencyFacts(
                profile["agency_id"], profile["agency__name"], profile["agency__time_zone"]
            )
    caller, memories, voice = None, [], NO_VOICE
    if phone and agency is not None and (profile or number is not None):
        caller, memories, voice = caller_for_phone(phone, agency_id=agency.pk)
    variables = caller_variables(
        phone=phone or raw,
        contact=caller,  # type: ignore[arg-type]  # KnownCaller has the fields it reads
        agent_name=profile["name"] if profile else "",
        memories=memories,
        agency=agency,
    )
    answer: dict = {"type": "conversation_initiation_client_data", "dynamic_variables": variables}
    if profile:
        greeting = profile["greeting_message"] if profile["enabled"] else DISABLED_AGENT_GREETING
        if greeting.strip():
            answer["conversation_config_override"] = {
                "agent": {"first_message": fill_variables(greeting, variables)}
            }
    if profile and voice != NO_VOICE:
        _speak_with_callers_voice(answer, voice, agency_id=agency.pk, phone=phone)
    return answer


def _speak_with_callers_voice(answer: dict, voice: CallerVoiceChoice, *, agency_id, phone) -> None:
    """The caller's own voice for this conversation only (the agent must allow the tts
    override); a sample not cloned yet starts cloning and this call keeps the agent's voice."""
    if voice.voice_id:
        override = answer.setdefault("conversation_config_override", {})
        override["tts"] = {"voice_id": voice.voice_id}
    elif voice.sample_id:
        caller_voice_needed.send(
            sender=KnownCaller,
            agency_id=agency_id,
            phone=phone,
            sample_id=voice.sample_id,
            rang_at=timezone.now(),
        )
