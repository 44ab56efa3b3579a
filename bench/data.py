"""Build (once) and cache the benchmark data: 50 agencies, one of them big.

The big agency (the one the migrations made, created first) holds 100k contacts, 500k
memories, 1M calls, 1,000 caller-voice mappings, 5,000 listings and a campaign job whose
5,000 calls the calls list filters on; the 49 others hold small realistic amounts, so every
agency-scoped query must filter. The figures measure the big agency. BENCH_SCALE scales
every count (tests build at a tiny scale).

Rows are written on the migrated schema, computing every missing column from the model's
fields, so the generator keeps working as columns are added: executemany on SQLite, COPY on
PostgreSQL. SQLite files (and PostgreSQL dumps) are cached under bench/.cache, keyed by the
migration files, this generator's version and the scale.
"""

import hashlib
import json
import os
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

GENERATOR_VERSION = "2"
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
ROOT = CACHE_DIR.parent.parent

AGENCIES = 50
MEMORIES_PER_CONTACT = 5
STAFF_USER = "bench"
STAFF_PASSWORD = "bench-password-123"


@dataclass(frozen=True)
class Sizes:
    """How much data one build makes: the big agency's rows, then each small agency's."""

    contacts: int
    calls: int
    voice_mappings: int
    listings: int
    job_calls: int
    small_contacts: int
    small_calls: int
    small_listings: int

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        def scaled(count: int, least: int = 1) -> int:
            return max(least, int(count * scale))

        return cls(
            contacts=scaled(100_000, 20),
            calls=scaled(1_000_000, 50),
            voice_mappings=scaled(1_000, 2),
            listings=scaled(5_000, 10),
            job_calls=scaled(5_000, 5),
            small_contacts=scaled(200, 2),
            small_calls=scaled(1_000, 3),
            small_listings=scaled(20, 1),
        )


def scale() -> float:
    return float(os.environ.get("BENCH_SCALE", "1"))


SIZES = Sizes.at(scale())
CONTACTS = SIZES.contacts  # the big agency's: callers are drawn from them
VOICE_MAPPINGS = SIZES.voice_mappings


def schema_key() -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    digest.update(repr(SIZES).encode())
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def database_path() -> Path:
    return CACHE_DIR / f"bench-{schema_key()}.db"


def dump_path() -> Path:
    """The PostgreSQL custom-format dump of the same data."""
    return CACHE_DIR / f"bench-{schema_key()}.pgdump"


def contact_phone(n: int) -> str:
    """The big agency's n-th contact's number."""
    return f"+6141{n:07d}"


def small_phone(agency: int, n: int) -> str:
    return f"+6143{agency:02d}{n:05d}"


# -- writing rows ------------------------------------------------------------------------


class RowWriter:
    """Writes dicts of stored values (UUID hex, UTC timestamps as text, JSON as text, 0/1)
    in committed batches: executemany on SQLite, COPY on PostgreSQL."""

    def __init__(self, batch: int = 20_000) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.batch = batch

    def timestamp(self, moment: datetime) -> str:
        text = moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")
        return text + "+00" if self.postgres else text

    def write(self, model, rows) -> int:
        from django.db import transaction

        count, pending = 0, []
        for row in rows:
            pending.append(row)
            if len(pending) >= self.batch:
                with transaction.atomic():
                    count += self._flush(model, pending)
                pending = []
        with transaction.atomic():
            count += self._flush(model, pending)
        return count

    def _flush(self, model, rows: list[dict]) -> int:
        if not rows:
            return 0
        if not self.postgres:
            from voqo.bulk import insert_rows

            return insert_rows(model, rows, as_stored=True)
        from django.db import models

        fields = [
            field
            for field in model._meta.concrete_fields
            if not isinstance(field, models.fields.AutoFieldMixin)
        ]
        defaults = {}
        now = datetime.now(UTC)
        for field in fields:
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                defaults[field.attname] = now
            elif field.has_default():
                defaults[field.attname] = field.get_db_prep_save(
                    field.get_default(), self.connection
                )
            else:
                defaults[field.attname] = None
        quote = self.connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) FROM STDIN"
        )
        names = [field.attname for field in fields]
        with self.connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row([row[name] if name in row else defaults[name] for name in names])
        return len(rows)

    def analyze(self) -> None:
        with self.connection.cursor() as cursor:
            if self.postgres and not self.connection.in_atomic_block:
                cursor.execute("VACUUM ANALYZE")
            else:
                cursor.execute("ANALYZE")


# -- the data ------------------------------------------------------------------------------

FACTS = [
    "Budget around $1.8M",
    "Looking in Bondi",
    "Prefers Saturday inspections",
    "Needs to sell first",
    "Pre-approved for finance",
    "Has two kids",
    "Moving from Melbourne",
    "Wants a yard for the dog",
]
TRANSCRIPT = json.dumps(
    [
        {
            "role": "agent",
            "message": "Hi, thanks for calling Harbour Realty.",
            "time_in_call_secs": 0,
        },
        {"role": "user", "message": "Is 12 Ocean Street still available?", "time_in_call_secs": 4},
    ]
)
STATUSES = ["completed"] * 8 + ["no_answer", "failed"]
# Answered calls carry an outcome (the calls list filters on it), appraisals the rarest.
DISPOSITIONS = ["inspection_booked", "buyer_enquiry", "maintenance_request", "seller_lead"] * 5
DISPOSITIONS += ["appraisal_booked", "not_interested", "callback_requested", "wrong_number"]
SPAN_SECONDS = 365 * 24 * 3600
# Distinct id ranges per table, so ids are stable and never collide.
AGENT_IDS, CONTACT_IDS, CALL_IDS, MAPPING_IDS, MEMORY_IDS = 1, 1 << 64, 2 << 64, 4 << 64, 5 << 64
OTHER_IDS = 3 << 64
AGENCY_STRIDE = 1 << 40


def _uuid(base: int, n: int) -> str:
    return uuid.UUID(int=base + n).hex


def _agents(writer: RowWriter, agency_id: str, number: int, now: datetime) -> list[tuple]:
    """Three agents for the big agency (number 0), one for each small one."""
    from agents.models import Agent

    kinds = [("Lisa", "property_sales"), ("Sam", "property_manager"), ("Alex", "custom")]
    made = []
    for i, (name, template) in enumerate(kinds if number == 0 else kinds[:1]):
        agent_id = _uuid(AGENT_IDS + number * 8, i)
        conversation_agent = f"agent_bench{i}" if number == 0 else f"agent_bench_a{number}"
        made.append((agent_id, name))
        writer.write(
            Agent,
            [
                {
                    "id": agent_id,
                    "agency_id": agency_id,
                    "name": name,
                    "system_prompt": "You are {{agent_name}}.",
                    "template": template,
                    "greeting_message": "Hi {{caller_name}}, this is " + name,
                    "elevenlabs_agent_id": conversation_agent,
                    "sync_status": "synced",
                    "created_at": writer.timestamp(now),
                    "updated_at": writer.timestamp(now),
                }
            ],
        )
    return made


def _people(
    writer: RowWriter,
    *,
    agency_id: str,
    number: int,
    contacts: int,
    calls: int,
    agents: list[tuple],
    phone,
    rng: random.Random,
    now: datetime,
    voice_mappings: int = 0,
) -> list[str]:
    """Contacts, their memories and calls for one agency; returns the call ids."""
    from calls.models import Call
    from contacts.models import Contact, Memory

    offset = number * AGENCY_STRIDE
    contact_ids = [_uuid(CONTACT_IDS + offset, n) for n in range(contacts)]
    ts = writer.timestamp
    writer.write(
        Contact,
        (
            {
                "id": contact_ids[n],
                "agency_id": agency_id,
                "name": f"Contact {n}",
                "phone": phone(n),
                "notes": "Prefers afternoon calls." if n % 3 == 0 else "",
                "tags": '["buyer"]',
                "created_at": ts(now - timedelta(days=400)),
                "updated_at": ts(now),
                "last_call_at": ts(now - timedelta(days=n % 365)),
                "voice_id": "voice_bench_sarah" if n < voice_mappings else "",
            }
            for n in range(contacts)
        ),
    )
    if voice_mappings:
        _voice_mappings(writer, agency_id, contact_ids[:voice_mappings], now)
    writer.write(
        Memory,
        (
            {
                "id": _uuid(MEMORY_IDS + offset, n * MEMORIES_PER_CONTACT + k),
                "contact_id": contact_ids[n],
                "agency_id": agency_id,
                "source": "auto",
                "content": f"{FACTS[(n + k) % len(FACTS)]} (#{k})",
                "created_at": ts(now - timedelta(days=k * 7)),
            }
            for n in range(contacts)
            for k in range(MEMORIES_PER_CONTACT if number == 0 else 2)
        ),
    )
    call_ids = [_uuid(CALL_IDS + offset, n) for n in range(calls)]
    agency_line = f"+6128{number:03d}1234"

    def rows():
        for n in range(calls):
            contact = rng.randrange(contacts)
            agent = agents[n % len(agents)]
            inbound = n % 10 < 7
            created = now - timedelta(seconds=SPAN_SECONDS * (calls - n) / calls)
            status = STATUSES[n % len(STATUSES)]
            yield {
                "id": call_ids[n],
                "agency_id": agency_id,
                "agent_id": agent[0],
                "agent_name": agent[1],
                "contact_id": contact_ids[contact],
                "elevenlabs_conversation_id": f"conv_bench{number:02d}_{n:08d}",
                "direction": "inbound" if inbound else "outbound",
                "status": status,
                "from_phone": phone(contact) if inbound else agency_line,
                "to_phone": agency_line if inbound else phone(contact),
                "summary": "Caller asked about 12 Ocean Street and booked an inspection.",
                "transcript": TRANSCRIPT,
                "duration": 30 + n % 300,
                "started_at": ts(created),
                "ended_at": ts(created + timedelta(seconds=90)),
                "created_at": ts(created),
                "sms_sent": n % 2,
                "disposition": DISPOSITIONS[n % len(DISPOSITIONS)] if status == "completed" else "",
                "processed": 1,
            }

    writer.write(Call, rows())
    return call_ids


def _voice_mappings(writer: RowWriter, agency_id: str, contact_ids: list[str], now) -> None:
    """Contacts who hear a salesperson's cloned voice (voices app): the initiation answer
    must stay fast with them."""
    from voices.models import CallerVoice, LibraryVoice, VoiceConsent

    consent_id, voice_id = _uuid(OTHER_IDS, 0), _uuid(OTHER_IDS, 1)
    writer.write(
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
                "created_at": writer.timestamp(now),
            }
        ],
    )
    writer.write(
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
                "created_at": writer.timestamp(now),
            }
        ],
    )
    writer.write(
        CallerVoice,
        (
            {
                "id": _uuid(MAPPING_IDS, n),
                "agency_id": agency_id,
                "contact_id": contact_id,
                "library_voice_id": voice_id,
                "sample_id": None,
                "created_at": writer.timestamp(now),
            }
            for n, contact_id in enumerate(contact_ids)
        ),
    )


def _campaign_job(writer: RowWriter, agency, agent_id: str, call_ids: list[str], now) -> None:
    """A finished campaign job whose calls are some of the big agency's outbound calls: the
    calls list filters by its campaign, and its page lists them."""
    from campaigns.models import BatchContact, Campaign, Job, JobCall, Upload

    campaign = Campaign.objects.create(agency=agency, name="Spring appraisal drive")
    upload = Upload.objects.create(
        campaign=campaign, filename="spring.csv", total_rows=len(call_ids)
    )
    done = len(call_ids)
    job = Job.objects.create(
        agency=agency,
        campaign=campaign,
        upload=upload,
        agent_id=agent_id,
        status=Job.Status.COMPLETED,
        total_calls=done,
        completed_calls=done,
        started_at=now - timedelta(days=2),
        finished_at=now - timedelta(days=1),
    )
    batch_ids = [_uuid(OTHER_IDS + (1 << 32), n) for n in range(done)]
    writer.write(
        BatchContact,
        (
            {
                "id": batch_ids[n],
                "agency_id": agency.pk.hex,
                "upload_id": upload.pk.hex,
                "phone": contact_phone(n),
                "name": f"Contact {n}",
                "variables": "{}",
                "line_number": n + 2,
                "created_at": writer.timestamp(now),
            }
            for n in range(done)
        ),
    )
    writer.write(
        JobCall,
        (
            {
                "id": _uuid(OTHER_IDS + (2 << 32), n),
                "agency_id": agency.pk.hex,
                "job_id": job.pk.hex,
                "batch_contact_id": batch_ids[n],
                "call_id": call_id,
                "status": "completed",
                "attempts": 1,
                "created_at": writer.timestamp(now),
                "updated_at": writer.timestamp(now),
            }
            for n, call_id in enumerate(call_ids)
        ),
    )


def fill(sizes: Sizes | None = None) -> None:
    """Fill the migrated database: the big agency, 49 small ones, and the bench user (an
    owner of the big agency)."""
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, Membership
    from bench.search import make_listings

    sizes = sizes or SIZES
    writer = RowWriter()
    rng = random.Random(42)
    now = datetime.now(UTC)
    big = Agency.objects.order_by("created_at").first()
    agents = _agents(writer, big.pk.hex, 0, now)
    call_ids = _people(
        writer,
        agency_id=big.pk.hex,
        number=0,
        contacts=sizes.contacts,
        calls=sizes.calls,
        agents=agents,
        phone=contact_phone,
        rng=rng,
        now=now,
        voice_mappings=sizes.voice_mappings,
    )
    outbound = [call_id for n, call_id in enumerate(call_ids) if n % 10 >= 7]
    _campaign_job(writer, big, agents[0][0], outbound[-sizes.job_calls :], now)
    make_listings(big, sizes.listings, rng)
    for number in range(1, AGENCIES):
        agency = Agency.objects.create(name=f"Agency {number:02d}", slug=f"bench-{number:02d}")
        _people(
            writer,
            agency_id=agency.pk.hex,
            number=number,
            contacts=sizes.small_contacts,
            calls=sizes.small_calls,
            agents=_agents(writer, agency.pk.hex, number, now),
            phone=lambda n, number=number: small_phone(number, n),
            rng=rng,
            now=now,
        )
        make_listings(agency, sizes.small_listings, rng, prefix=f"A{number:02d}")
    writer.analyze()
    user = get_user_model().objects.create_user(STAFF_USER, password=STAFF_PASSWORD, is_staff=True)
    Membership.objects.create(user=user, agency=big, role=Membership.Role.OWNER)


def build() -> None:
    """Migrate the database DATABASE_URL names and fill it."""
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    connections["default"].close()
    fill()
