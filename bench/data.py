"""Build (once) and cache the benchmark database: 100k contacts, 500k memories, 1M calls.

Rows are written with executemany on the migrated schema, computing every column from the
model's fields, so the generator keeps working as columns are added. The database file is
cached under bench/.cache, keyed by the migration files and this generator's version.
"""

import hashlib
import json
import os
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = "1"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
ROOT = CACHE_DIR.parent.parent

CONTACTS = int(os.environ.get("BENCH_CONTACTS", 100_000))
MEMORIES_PER_CONTACT = 5
CALLS = int(os.environ.get("BENCH_CALLS", 1_000_000))
# Contacts who hear a salesperson's cloned voice (voices app): the initiation answer must
# stay one query with them.
VOICE_MAPPINGS = 1_000
STAFF_USER = "bench"
STAFF_PASSWORD = "bench-password-123"


def schema_key() -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    digest.update(f"{CONTACTS}:{CALLS}".encode())
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_path() -> Path:
    return CACHE_DIR / f"bench-{schema_key()}.db"


def contact_phone(n: int) -> str:
    return f"+6141{n:07d}"


def _insert(model, rows, batch: int = 20_000) -> int:
    """Insert rows whose values are already in SQLite's stored form, in committed batches."""
    from django.db import transaction

    from voqo.bulk import insert_rows

    count, pending = 0, []
    for row in rows:
        pending.append(row)
        if len(pending) >= batch:
            with transaction.atomic():
                count += insert_rows(model, pending, as_stored=True)
            pending = []
    with transaction.atomic():
        count += insert_rows(model, pending, as_stored=True)
    return count


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _voice_mappings(agency_id: str, contact_ids: list[str], now: datetime) -> None:
    from voices.models import CallerVoice, LibraryVoice, VoiceConsent

    consent_id, voice_id = uuid.UUID(int=(3 << 64)).hex, uuid.UUID(int=(3 << 64) + 1).hex
    _insert(
        VoiceConsent,
        [
            {
                "id": consent_id,
                "agency_id": agency_id,
                "speaker_name": "Sarah Nguyen",
                "statement": "I agree to have my voice cloned.",
                "consent_file": "",
                "uploaded_by_id": None,
                "uploaded_by_name": "bench",
                "created_at": _ts(now),
            }
        ],
    )
    _insert(
        LibraryVoice,
        [
            {
                "id": voice_id,
                "agency_id": agency_id,
                "consent_id": consent_id,
                "name": "Sarah",
                "voice_id": "voice_bench_sarah",
                "sample_bytes": 0,
                "created_by": "bench",
                "created_at": _ts(now),
            }
        ],
    )
    _insert(
        CallerVoice,
        (
            {
                "id": uuid.UUID(int=(4 << 64) + n).hex,
                "agency_id": agency_id,
                "contact_id": contact_id,
                "library_voice_id": voice_id,
                "sample_id": None,
                "created_at": _ts(now),
            }
            for n, contact_id in enumerate(contact_ids)
        ),
    )


def build(path: Path) -> None:
    """Migrate a fresh SQLite file at `path` and fill it."""
    from django.core.management import call_command
    from django.db import connections

    from agents.models import Agent
    from calls.models import Call
    from contacts.models import Contact, Memory

    call_command("migrate", verbosity=0)
    connections["default"].close()
    rng = random.Random(42)
    now = datetime.now(UTC)

    # The agency the migrations made for an install without one: every row belongs to it.
    from agencies.models import Agency

    agency_id = Agency.objects.order_by("created_at").values_list("pk", flat=True).first().hex
    agents = []
    for i, (name, template) in enumerate(
        [("Lisa", "property_sales"), ("Sam", "property_manager"), ("Alex", "custom")]
    ):
        agent_id = uuid.UUID(int=i + 1)
        agents.append((agent_id.hex, name, f"agent_bench{i}"))
        _insert(
            Agent,
            [
                {
                    "id": agent_id.hex,
                    "agency_id": agency_id,
                    "name": name,
                    "system_prompt": "You are {{agent_name}}.",
                    "template": template,
                    "greeting_message": "Hi {{caller_name}}, this is " + name,
                    "elevenlabs_agent_id": f"agent_bench{i}",
                    "sync_status": "synced",
                    "created_at": _ts(now),
                    "updated_at": _ts(now),
                }
            ],
        )

    contact_ids = [uuid.UUID(int=(1 << 64) + n).hex for n in range(CONTACTS)]
    _insert(
        Contact,
        (
            {
                "id": contact_ids[n],
                "agency_id": agency_id,
                "name": f"Contact {n}",
                "phone": contact_phone(n),
                "notes": "Prefers afternoon calls." if n % 3 == 0 else "",
                "tags": '["buyer"]',
                "created_at": _ts(now - timedelta(days=400)),
                "updated_at": _ts(now),
                "last_call_at": _ts(now - timedelta(days=n % 365)),
                "voice_id": "voice_bench_sarah" if n < VOICE_MAPPINGS else "",
            }
            for n in range(CONTACTS)
        ),
    )
    _voice_mappings(agency_id, contact_ids[:VOICE_MAPPINGS], now)
    facts = [
        "Budget around $1.8M",
        "Looking in Bondi",
        "Prefers Saturday inspections",
        "Needs to sell first",
        "Pre-approved for finance",
        "Has two kids",
        "Moving from Melbourne",
        "Wants a yard for the dog",
    ]
    _insert(
        Memory,
        (
            {
                "id": uuid.uuid4().hex,
                "contact_id": contact_ids[n],
                "agency_id": agency_id,
                "source": "auto",
                "content": f"{facts[(n + k) % len(facts)]} (#{k})",
                "created_at": _ts(now - timedelta(days=k * 7)),
            }
            for n in range(CONTACTS)
            for k in range(MEMORIES_PER_CONTACT)
        ),
    )

    transcript = json.dumps(
        [
            {
                "role": "agent",
                "message": "Hi, thanks for calling Harbour Realty.",
                "time_in_call_secs": 0,
            },
            {
                "role": "user",
                "message": "Is 12 Ocean Street still available?",
                "time_in_call_secs": 4,
            },
        ]
    )
    statuses = ["completed"] * 8 + ["no_answer", "failed"]
    # Answered calls carry an outcome (the calls list filters on it), appraisals the rarest.
    dispositions = ["inspection_booked", "buyer_enquiry", "maintenance_request", "seller_lead"] * 5
    dispositions += ["appraisal_booked", "not_interested", "callback_requested", "wrong_number"]
    span = 365 * 24 * 3600
    from agencies.models import Agency

    agency_id = Agency.objects.order_by("created_at").values_list("pk", flat=True)[0].hex

    def calls():
        for n in range(CALLS):
            contact = rng.randrange(CONTACTS)
            agent = agents[n % 3]
            inbound = n % 10 < 7
            created = now - timedelta(seconds=span * (CALLS - n) / CALLS)
            yield {
                "id": uuid.UUID(int=(2 << 64) + n).hex,
                "agency_id": agency_id,
                "agent_id": agent[0],
                "agent_name": agent[1],
                "contact_id": contact_ids[contact],
                "elevenlabs_conversation_id": f"conv_bench{n:08d}",
                "direction": "inbound" if inbound else "outbound",
                "status": statuses[n % len(statuses)],
                "from_phone": contact_phone(contact) if inbound else "+61280001234",
                "to_phone": "+61280001234" if inbound else contact_phone(contact),
                "summary": "Caller asked about 12 Ocean Street and booked an inspection.",
                "transcript": transcript,
                "duration": 30 + n % 300,
                "started_at": _ts(created),
                "ended_at": _ts(created + timedelta(seconds=90)),
                "created_at": _ts(created),
                "sms_sent": n % 2,
                "disposition": dispositions[n % len(dispositions)]
                if statuses[n % len(statuses)] == "completed"
                else "",
                "processed": 1,
            }

    _insert(Call, calls())
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")

    from django.contrib.auth import get_user_model

    from agencies.models import Membership

    user = get_user_model().objects.create_user(STAFF_USER, password=STAFF_PASSWORD, is_staff=True)
    Membership.objects.create(user=user, agency_id=agency_id, role=Membership.Role.OWNER)
