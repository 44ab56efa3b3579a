"""Demo data for a first look: two agencies (so the agency switcher shows), each with its
own agents, contacts with memories, a campaign and weeks of calls; every staff user is a
member of both."""

import random
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

# Demo calls carry this conversation id prefix, so they never pass for a real test call.

FIRST_NAMES = [
    "Priya",
    "James",
    "Olivia",
    "Liam",
    "Charlotte",
    "Noah",
    "Amelia",
    "Jack",
    "Isla",
    "William",
    "Mia",
    "Oliver",
    "Ava",
    "Thomas",
    "Grace",
    "Lucas",
    "Chloe",
    "Henry",
    "Zoe",
    "Ethan",
    "Ruby",
    "Leo",
    "Sophie",
    "Mason",
    "Harper",
    "Lachlan",
    "Matilda",
    "Cooper",
    "Ella",
    "Hamish",
]
LAST_NAMES = [
    "Sharma",
    "Nguyen",
    "Smith",
    "Brown",
    "Wilson",
    "Taylor",
    "Kelly",
    "Chen",
    "Walker",
    "Singh",
    "O'Brien",
    "Murphy",
    "Rossi",
    "Papadopoulos",
    "Martin",
    "Lee",
    "Anderson",
    "Thompson",
]
STREETS = [
    "12 Ocean Street, Bondi",
    "4/88 Harbour Road, Mosman",
    "27 Wattle Avenue, Paddington",
    "9 Banksia Crescent, Manly",
    "150 King Street, Newtown",
    "3 Jacaranda Close, Lane Cove",
]
SALES_FACTS = [
    "Budget around ${price}M",
    "Looking in {suburb}",
    "Prefers Saturday inspections",
    "Needs to sell their current place first",
    "Pre-approved for finance",
    "Wants 3 bedrooms and a yard for the dog",
    "Moving from Melbourne in March",
    "First-home buyer",
    "Interested in {street}",
]
RENTAL_FACTS = [
    "Tenant at {street}",
    "Has a cat (approved on the lease)",
    "Lease ends in June",
    "Works night shifts; call after 2 pm",
    "Reported a leaking tap last month",
]


def _sales_transcript(rng, name, street, agent_name, agency):
    price = rng.choice(["1.2", "1.45", "1.8", "2.1", "950k"])
    return (
        [
            {
                "role": "agent",
                "message": f"Hi, thanks for calling {agency}, this is {agent_name}. "
                "How can I help with your property search today?",
                "time_in_call_secs": 0,
            },
            {
                "role": "user",
                "message": f"Hi, it's {name}. I saw {street} online, is it still available?",
                "time_in_call_secs": 5,
            },
            {
                "role": "agent",
                "message": None,
                "time_in_call_secs": 9,
                "tool_calls": [
                    {
                        "request_id": "req_1",
                        "tool_name": "check_property",
                        "type": "webhook",
                        "params_as_json": f'{{"address": "{street}"}}',
                        "tool_has_been_called": True,
                    }
                ],
            },
            {
                "role": "agent",
                "message": None,
                "time_in_call_secs": 10,
                "tool_results": [
                    {
                        "request_id": "req_1",
                        "tool_name": "check_property",
                        "type": "webhook",
                        "result_value": f'{{"status": "available", "price_guide": "${price}M"}}',
                        "is_error": False,
                        "tool_has_been_called": True,
                    }
                ],
            },
            {
                "role": "agent",
                "message": f"Yes, it's available with a price guide of ${price} "
                "million. Would you like to book an inspection?",
                "time_in_call_secs": 12,
            },
            {
                "role": "user",
                "message": "Saturday morning would be great. We need to sell our "
                "place first though.",
                "time_in_call_secs": 20,
            },
            {
                "role": "agent",
                "message": "No problem — I've noted Saturday at 10. Our sales agent "
                "can also give you an appraisal of your current home.",
                "time_in_call_secs": 26,
            },
            {"role": "user", "message": "Perfect, thanks so much.", "time_in_call_secs": 34},
            {
                "role": "agent",
                "message": "You're welcome! You'll get a text with the details.",
                "time_in_call_secs": 37,
            },
        ],
        f"{name} asked about {street}; it's available (guide ${price}M). Booked a Saturday 10 am "
        "inspection; they need to sell first and would like an appraisal.",
    )


def _rental_transcript(rng, name, street, agent_name, agency):
    issue = rng.choice(
        ["the hot water system", "a leaking kitchen tap", "the front door lock", "the oven"]
    )
    return (
        [
            {
                "role": "agent",
                "message": f"Hi, you've reached property management at {agency}, "
                f"this is {agent_name}. What can I do for you?",
                "time_in_call_secs": 0,
            },
            {
                "role": "user",
                "message": f"Hi, it's {name} from {street}. {issue.capitalize()} "
                "has stopped working.",
                "time_in_call_secs": 4,
            },
            {
                "role": "agent",
                "message": "Sorry to hear that. Is anyone at risk, and when can a "
                "tradesperson get in?",
                "time_in_call_secs": 10,
            },
            {
                "role": "user",
                "message": "No danger. Any weekday after 2 pm works.",
                "time_in_call_secs": 16,
            },
            {
                "role": "agent",
                "message": "Thanks, I've logged an urgent maintenance request and the "
                "property manager will confirm a time by tomorrow.",
                "time_in_call_secs": 22,
            },
        ],
        f"{name} ({street}) reported a problem with {issue}. No danger; access weekdays after "
        "2 pm. Maintenance request logged; PM to confirm a time.",
    )


# Each office's stock: (kind, status, (number, street), suburb, postcode, category, price, beds).
DEMO_LISTINGS = [
    [
        ("residential", "current", ("12", "Ocean Street"), "Bondi", "2026", "House", 2450000, 4),
        (
            "residential",
            "current",
            ("4/88", "Campbell Parade"),
            "Bondi",
            "2026",
            "Apartment",
            1150000,
            2,
        ),
        (
            "residential",
            "current",
            ("31", "Jacaranda Lane"),
            "Paddington",
            "2021",
            "Terrace",
            1890000,
            3,
        ),
        ("rental", "current", ("7/15", "Arden Street"), "Coogee", "2034", "Unit", 780, 2),
        ("rental", "current", ("22", "Mount Street"), "Coogee", "2034", "House", 1350, 3),
        ("land", "current", ("", "Ridge Road"), "Kellyville", "2155", "Residential", 950000, 0),
        (
            "residential",
            "sold",
            ("9", "Wattle Avenue"),
            "Marrickville",
            "2204",
            "House",
            1600000,
            3,
        ),
        ("rental", "leased", ("3/10", "Beach Road"), "Randwick", "2031", "Unit", 690, 1),
    ],
    [
        ("residential", "current", ("5", "The Corso"), "Manly", "2095", "Apartment", 1750000, 2),
        ("residential", "current", ("18", "Pittwater Road"), "Manly", "2095", "House", 3200000, 4),
        (
            "residential",
            "current",
            ("2", "Lagoon Street"),
            "Narrabeen",
            "2101",
            "Townhouse",
            1450000,
            3,
        ),
        ("rental", "current", ("11/40", "Darley Road"), "Manly", "2095", "Unit", 850, 2),
        ("residential", "withdrawn", ("60", "Ocean Road"), "Dee Why", "2099", "House", 2100000, 4),
    ],
]

# The install's first agency keeps its name; the second is the demo's other office.
SECOND_AGENCY = {"name": "Harbour Realty Manly (demo)", "slug": "harbour-realty-manly-demo"}
AGENT_NAMES = [
    {
        "property_sales": ("Lisa", "Answers buyer enquiries and books inspections."),
        "property_manager": ("Sam", "Takes maintenance requests from tenants."),
        "custom": ("Alex", "After-hours reception."),
    },
    {
        "property_sales": ("Maya", "Answers buyer enquiries for the Manly office."),
        "property_manager": ("Tom", "Takes maintenance requests from Manly tenants."),
        "custom": ("Jo", "After-hours reception for the Manly office."),
    },
]


def _office_hours_moment(rng, day, zone, now):
    """A moment on `day` (in `zone`) when an agency's phones ring, never after `now`."""
    opens = datetime.combine(day, time(8, 30), tzinfo=zone)
    moment = opens + timedelta(minutes=rng.randint(0, 10 * 60))
    if moment > now:  # later today: the same time a week earlier
        moment -= timedelta(days=7)
    return moment


class Command(BaseCommand):
    help = (
        "Load demo data (two agencies, each with agents, contacts, memories, a campaign, "
        "calls). Skips if present."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load even if data exists.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, force: bool = False, seed: int = 7, **options):
        from agents.models import Agent

        if Agent.objects.exists() and not force:
            self.stdout.write("Demo data already present; nothing to do.")
            return
        rng = random.Random(seed)
        all_agents = []
        with transaction.atomic():
            agencies = self._agencies()
            used_phones: set[str] = set()
            for index, agency in enumerate(agencies):
                agents = self._agents(agency, AGENT_NAMES[index])
                contacts = self._contacts(rng, agency, used_phones)
                self._calls(rng, agency, agents, contacts, conversation_offset=index * 10_000)
                self._campaign(rng, agency)
                self._phone_number(agency, agents, index)
                self._prompts(agency, agents)
                self._conversations(agency, contacts)
                self._scheduled_calls(agency, agents, contacts)
                self._compliance(agency, contacts)
                self._voices(agency, contacts)
                self._listings(agency, index)
                all_agents.extend(agents.values())
            self._members(agencies)
        self._sync(all_agents)
        self._sync_numbers(agencies)
        for agent in all_agents:
            if agent.template == "property_sales":
                self._listings_for_agent(agent)
        self.stdout.write(
            self.style.SUCCESS(f"Loaded demo data for {' and '.join(a.name for a in agencies)}.")
        )

    def _agencies(self):
        """The install's first agency and the demo's second one (created once)."""
        from agencies.models import Agency
        from agencies.services import create_agency
        from calls.ownership import install_agency

        first = install_agency()
        second = Agency.objects.filter(slug=SECOND_AGENCY["slug"]).first() or create_agency(
            name=SECOND_AGENCY["name"], slug=SECOND_AGENCY["slug"], time_zone=first.time_zone
        )
        return [first, second]

    def _members(self, agencies) -> None:
        """Every staff user and superuser joins both agencies (as owner unless already in)."""
        from django.contrib.auth import get_user_model
        from django.db.models import Q

        from agencies.models import Membership

        users = get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True))
        for user in users:
            for agency in agencies:
                Membership.objects.get_or_create(
                    user=user, agency=agency, defaults={"role": Membership.Role.OWNER}
                )

    def _agents(self, agency, names):
        from agents.models import Agent
        from agents.prompt_templates import PROMPT_TEMPLATES

        agents = {}
        for key, template in PROMPT_TEMPLATES.items():
            name, description = names[key]
            agents[key] = Agent.objects.create(
                agency=agency,
                name=name,
                description=description,
                template=key,
                system_prompt=template.system_prompt,
                greeting_message=template.greeting_message,
            )
        return agents

    def _contacts(self, rng, agency, used):
        from contacts.models import Contact, Memory

        contacts, memories = [], []
        for i in range(40):
            name = f"{FIRST_NAMES[i % len(FIRST_NAMES)]} {rng.choice(LAST_NAMES)}"
            phone = f"+614{rng.randrange(10_000_000, 99_999_999)}"
            if phone in used:
                continue
            used.add(phone)
            kind = "rental" if i % 4 == 0 else "sales"
            contact = Contact(
                agency=agency,
                name=name,
                phone=phone,
                tags=[kind] + (["vip"] if i % 9 == 0 else []),
                notes="Referred by a past vendor." if i % 7 == 0 else "",
            )
            contacts.append(contact)
            facts = RENTAL_FACTS if kind == "rental" else SALES_FACTS
            for fact in rng.sample(facts, 2):
                memories.append(
                    Memory(
                        agency=agency,
                        contact=contact,
                        source=Memory.Source.MANUAL,
                        content=fact.format(
                            price=rng.choice(["1.2", "1.8"]),
                            suburb=rng.choice(["Bondi", "Manly"]),
                            street=rng.choice(STREETS),
                        ),
                    )
                )
        Contact.objects.bulk_create(contacts)
        Memory.objects.bulk_create(memories)
        return contacts

    def _calls(self, rng, agency, agents, contacts, *, conversation_offset):
        from calls.models import DEMO_CONVERSATION_PREFIX, Call, SmsMessage
        from contacts.models import Contact
        from voqo import calling_window as window
        from voqo.models import Setting, agency_zone

        values = Setting.all_values(agency)
        agency_name = agency.name
        now = timezone.now()
        zone = agency_zone(agency)
        today = timezone.localtime(now, zone).date()
        calls = []
        for day in range(21, -1, -1):
            for _ in range(rng.randint(3, 11)):
                contact = rng.choice(contacts)
                rental = "rental" in contact.tags
                agent = agents["property_manager" if rental else "property_sales"]
                first_name = contact.name.split()[0]
                street = rng.choice(STREETS)
                build = _rental_transcript if rental else _sales_transcript
                transcript, summary = build(rng, first_name, street, agent.name, agency_name)
                inbound = rng.random() < 0.7
                started = _office_hours_moment(rng, today - timedelta(days=day), zone, now)
                # A demo outbound call keeps the calling window, as a real dial must: the
                # compliance page of a fresh install shows no breaches.
                if not inbound and not window.is_open(contact.phone, started, contact.state):
                    inbound = True
                status = Call.Status.COMPLETED
                if not inbound and rng.random() < 0.2:
                    status = rng.choice([Call.Status.NO_ANSWER, Call.Status.BUSY])
                duration = rng.randint(45, 320) if status == Call.Status.COMPLETED else 0
                number = conversation_offset + len(calls)
                call = Call(
                    agency=agency,
                    agent=agent,
                    agent_name=agent.name,
                    contact=contact,
                    elevenlabs_conversation_id=f"{DEMO_CONVERSATION_PREFIX}{number:05d}",
                    direction=Call.Direction.INBOUND if inbound else Call.Direction.OUTBOUND,
                    status=status,
                    from_phone=contact.phone if inbound else "+61280001234",
                    to_phone="+61280001234" if inbound else contact.phone,
                    summary=summary if status == Call.Status.COMPLETED else "",
                    title="Maintenance request" if rental else "Inspection enquiry",
                    transcript=transcript if status == Call.Status.COMPLETED else [],
                    duration=duration,
                    started_at=started,
                    ended_at=started + timedelta(seconds=duration),
                    outcome="success" if status == Call.Status.COMPLETED else "",
                    dynamic_variables={
                        "caller_name": first_name,
                        "caller_phone": contact.phone,
                        "agency_name": agency_name,
                        "agent_name": agent.name,
                    },
                )
                self._follow_up_sms(call, values)
                calls.append(call)
        Call.objects.bulk_create(calls)
        # The SMS each demo call "sent", as the calls page shows real ones (status, text).
        SmsMessage.objects.bulk_create(
            SmsMessage(
                agency=agency,
                direction=SmsMessage.Direction.OUTBOUND,
                contact=call.contact,
                call=call,
                from_phone="+61280001234",
                to_phone=call.external_phone,
                body=call.sms_body,
                sid=call.sms_sid,
                status="delivered",
            )
            for call in calls
            if call.sms_sid
        )
        # created_at is auto_now_add; backdate it so lists and charts show the history.
        for call in calls:
            call.created_at = call.started_at
        Call.objects.bulk_update(calls, ["created_at"], batch_size=500)
        for call in calls:
            if call.sms_sid:
                SmsMessage.objects.filter(agency=agency, sid=call.sms_sid).update(
                    created_at=call.sms_sent_at
                )
        last_calls = {}
        for call in calls:
            last_calls[call.contact_id] = max(
                last_calls.get(call.contact_id, call.started_at), call.started_at
            )
        for contact in contacts:
            contact.last_call_at = last_calls.get(contact.id)
        Contact.objects.bulk_update(contacts, ["last_call_at"])
        self._outcomes(agency, calls, seed=rng.randint(0, 2**31))

    @staticmethod
    def _outcomes(agency, calls, *, seed: int) -> None:
        """An outcome for every demo call, spread over the dispositions so the outcomes
        dashboard has something in every chart; the profile learns from the latest call."""
        from calls.models import Call
        from contacts.profile import learn_from_call
        from outcomes.models import Disposition, Outcome
        from outcomes.recording import profile_facts

        pick = random.Random(seed)
        labels = dict(Disposition.objects.filter(agency=agency).values_list("key", "label"))
        sales = [
            ("inspection_booked", 45),
            ("buyer_enquiry", 20),
            ("appraisal_booked", 12),
            ("seller_lead", 8),
            ("callback_requested", 8),
            ("not_interested", 7),
        ]
        rentals = [("maintenance_request", 70), ("rental_enquiry", 30)]
        outcomes, latest = [], {}
        for call in calls:
            if call.status != Call.Status.COMPLETED:
                key, details = "voicemail" if call.status == Call.Status.NO_ANSWER else "", {}
                if not key:
                    continue
            else:
                rental = call.contact is not None and "rental" in (call.contact.tags or [])
                choices = rentals if rental else sales
                key = pick.choices([k for k, _ in choices], [w for _, w in choices])[0]
                details = _demo_details(key, pick, call)
            if key not in labels:
                continue
            call.disposition, call.processed, call.processed_at = key, True, call.ended_at
            outcomes.append(
                Outcome(
                    agency=agency,
                    call=call,
                    outcome_type=key,
                    label=labels[key],
                    confidence=round(pick.uniform(0.7, 0.98), 2),
                    summary=call.summary,
                    extracted_data=details,
                    need_handled=call.status == Call.Status.COMPLETED,
                )
            )
            if call.contact_id:
                latest[call.contact_id] = (call, key, details)
        Outcome.objects.bulk_create(outcomes)
        Call.objects.bulk_update(calls, ["disposition", "processed", "processed_at"], 500)
        for call, key, details in latest.values():
            facts = profile_facts(key, details)
            if facts:
                learn_from_call(call.contact, facts, call_id=call.pk, at=call.ended_at)

    def _conversations(self, agency, contacts) -> None:
        """Threads for the follow-ups sent above, replies from a few contacts (one STOP),
        and a saved template."""
        from calls.models import SmsMessage
        from calls.replies import record_inbound_sms
        from messages.models import SmsTemplate
        from messages.threads import rebuild_threads

        rebuild_threads(agency)
        replies = ["Thanks, Saturday works for me.", "Is the price negotiable?", "STOP"]
        texted = (
            SmsMessage.objects.filter(agency=agency, direction="outbound")
            .order_by("-created_at")
            .values_list("to_phone", flat=True)
        )
        for index, (phone, body) in enumerate(
            zip(list(dict.fromkeys(texted))[:3], replies, strict=False)
        ):
            if any(c.phone == phone for c in contacts):
                record_inbound_sms(
                    sid=f"SMdemoreply{agency.slug}{index}",
                    from_phone=phone,
                    to_phone="+61280001234",
                    body=body,
                    agencies=[agency],
                )
        SmsTemplate.objects.get_or_create(
            agency=agency,
            name="Open home reminder",
            defaults={"body": "Hi {first_name}, a reminder: open home Saturday 10–10:30am."},
        )

    def _scheduled_calls(self, agency, agents, contacts) -> None:
        """Two calls scheduled for the next weekday afternoon."""
        from datetime import datetime, time

        from scheduling.models import ScheduledCall
        from voqo.models import agency_zone

        zone = agency_zone(agency)
        day = timezone.localdate(timezone=zone) + timedelta(days=1)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        agent = next(iter(agents.values()))
        for hour, contact in zip(
            (13, 15), [c for c in contacts if not c.opted_out_at][:2], strict=False
        ):
            ScheduledCall.objects.create(
                agency=agency,
                batch=contact.pk,
                agent=agent,
                contact=contact,
                phone=contact.phone,
                scheduled_at=datetime.combine(day, time(hour), tzinfo=zone),
                created_by="demo",
            )

    @staticmethod
    def _follow_up_sms(call, values) -> None:
        """Decide and fill the call's follow-up SMS with the product's own rules and text."""
        from calls.followup_sms import render_call_sms, sms_skip_reason
        from calls.models import DEMO_CONVERSATION_PREFIX, Call

        reason = sms_skip_reason(call, values)
        if reason:
            call.sms_status, call.sms_error = Call.SmsStatus.SKIPPED, reason
            return
        call.sms_status = Call.SmsStatus.SENT
        call.sms_body = render_call_sms(call, values)
        call.sms_sid = (
            f"SMdemo{call.elevenlabs_conversation_id.removeprefix(DEMO_CONVERSATION_PREFIX)}"
        )
        call.sms_sent = True
        call.sms_sent_at = call.ended_at + timedelta(seconds=5)

    def _campaign(self, rng, agency):
        from campaigns.models import BatchContact, Campaign, Upload

        campaign = Campaign.objects.create(
            agency=agency,
            name="Spring open homes",
            description="Invite past enquirers to this weekend's "
            "open homes in the Eastern Suburbs.",
        )
        upload = Upload.objects.create(
            agency=agency,
            campaign=campaign,
            filename="spring-open-homes.csv",
            total_rows=12,
            variable_keys=["property_address", "open_home_time"],
        )
        BatchContact.objects.bulk_create(
            BatchContact(
                agency_id=campaign.agency_id,
                upload=upload,
                line_number=i + 2,
                phone=f"+614{rng.randrange(10_000_000, 99_999_999)}",
                name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                variables={
                    "property_address": rng.choice(STREETS),
                    "open_home_time": rng.choice(["Sat 10:00", "Sat 11:30"]),
                },
            )
            for i in range(12)
        )

    def _phone_number(self, agency, agents, index) -> None:
        """One number per agency: answered by its sales agent, its default caller ID."""
        from phone_numbers.models import PhoneNumber

        PhoneNumber.objects.create(
            agency=agency,
            number=f"+6128000{7001 + index}",
            label="Main line",
            agent=agents["property_sales"],
            default_outbound=True,
        )

    def _prompts(self, agency, agents) -> None:
        """A saved prompt per template in the library, and each agent's first version."""
        from agents.models import PromptVersion, SavedPrompt
        from agents.prompt_templates import PROMPT_TEMPLATES

        categories = {"property_sales": "sales", "property_manager": "property_management"}
        for key, template in PROMPT_TEMPLATES.items():
            SavedPrompt.objects.create(
                agency=agency,
                name=template.label,
                category=categories.get(key, "custom"),
                description=f"The {key.replace('_', ' ')} template as shipped.",
                system_prompt=template.system_prompt,
                greeting_message=template.greeting_message,
            )
        for agent in agents.values():
            PromptVersion.objects.create(
                agent=agent,
                system_prompt=agent.system_prompt,
                greeting_message=agent.greeting_message,
                note="Created from the template",
            )

    def _sync_numbers(self, agencies) -> None:
        """Register the demo numbers (in the sandbox this needs no network)."""
        from phone_numbers.models import PhoneNumber
        from phone_numbers.services import sync_phone_number

        for number in PhoneNumber.objects.filter(agency__in=agencies).select_related("agent"):
            if not sync_phone_number(number):
                self.stderr.write(f"Number {number.number} did not sync: {number.sync_error}")

    def _compliance(self, agency, contacts):
        """Register washes of the campaign's numbers (two registered, one stale) and a few
        consents: one in force, one about to lapse, one withdrawn."""
        from django.utils import timezone

        from campaigns.models import BatchContact
        from compliance.models import Consent, WashResult

        now = timezone.now()
        phones = sorted(BatchContact.objects.filter(agency=agency).values_list("phone", flat=True))
        WashResult.objects.bulk_create(
            WashResult(
                agency=agency,
                phone=phone,
                registered=index < 2,
                dncr_checked_at=now - timedelta(days=45 if index == len(phones) - 1 else 3),
                source="demo-wash-results.csv",
            )
            for index, phone in enumerate(phones)
        )
        plans = [(10, False), (80, False), (30, True)]  # (days ago, withdrawn)
        for contact, (days_ago, withdrawn) in zip(contacts, plans, strict=False):
            obtained_at = now - timedelta(days=days_ago)
            Consent.objects.create(
                agency=agency,
                contact=contact,
                kind=Consent.Kind.EXPRESS,
                method=Consent.Method.FORM,
                obtained_at=obtained_at,
                obtained_by="Front desk",
                evidence_note="Ticked “call me about appraisals” on the open-home sign-in sheet.",
                expires_at=obtained_at + timedelta(days=91),
                expiry_defaulted=True,
                withdrawn_at=obtained_at + timedelta(days=5) if withdrawn else None,
                withdrawn_by="asked on a call" if withdrawn else "",
            )

    @staticmethod
    def _voices(agency, contacts) -> None:
        """A salesperson's consented, cloned voice given to one contact; a sample another
        contact is cloned from on their calls; the clone log of both."""
        from django.core.files.base import ContentFile
        from django.utils import timezone

        from contacts.models import Contact
        from voices.models import (
            CallerVoice,
            CloneLog,
            LibraryVoice,
            VoiceClone,
            VoiceConsent,
            VoiceSample,
        )
        from voices.samples import silent_wav

        now = timezone.now()
        consent = VoiceConsent.objects.create(
            agency=agency,
            speaker_name="Sarah Nguyen",
            statement=f"I, Sarah Nguyen, agree that {agency.name} may clone my voice for its "
            "phone agent, to speak with the clients whose relationship I own.",
            uploaded_by_name="Front desk",
        )
        suffix = str(agency.pk).replace("-", "")[:8]
        voice = LibraryVoice.objects.create(
            agency=agency,
            consent=consent,
            name="Sarah (sales)",
            voice_id=f"voice_sbx_sarah_{suffix}",
            sample_bytes=1_920_044,
            created_by="Front desk",
        )
        sample = VoiceSample(
            agency=agency,
            consent=consent,
            name="Sarah, open-home recording",
            content_type="audio/wav",
            duration_secs=12,
        )
        audio = silent_wav(12)
        sample.size_bytes = len(audio)
        sample.audio.save("sarah-open-home.wav", ContentFile(audio), save=False)
        sample.save()
        clone = VoiceClone.objects.create(
            agency=agency,
            sample=sample,
            voice_id=f"voice_sbx_clone_{suffix}",
            status=VoiceClone.Status.READY,
            ready_at=now - timedelta(hours=2),
            expires_at=now + timedelta(hours=22),
            reuse_count=3,
            last_used_at=now - timedelta(minutes=40),
        )
        if len(contacts) >= 2:
            first, second = contacts[0], contacts[1]
            CallerVoice.objects.create(agency=agency, contact=first, library_voice=voice)
            CallerVoice.objects.create(agency=agency, contact=second, sample=sample)
            Contact.objects.filter(pk=first.pk).update(voice_id=voice.voice_id)
            Contact.objects.filter(pk=second.pk).update(voice_id=clone.voice_id)
            caller = second.phone
        else:
            caller = ""
        CloneLog.objects.create(
            agency=agency,
            operation=CloneLog.Operation.CLONE,
            voice_name=voice.name,
            voice_id=voice.voice_id,
            latency_ms=2140,
            sample_bytes=voice.sample_bytes,
            status=CloneLog.Status.SUCCESS,
        )
        CloneLog.objects.create(
            agency=agency,
            operation=CloneLog.Operation.CLONE,
            caller_phone=caller,
            voice_name=sample.name,
            voice_id=clone.voice_id,
            latency_ms=1830,
            sample_bytes=sample.size_bytes,
            status=CloneLog.Status.SUCCESS,
        )
        CloneLog.objects.create(
            agency=agency,
            operation=CloneLog.Operation.CLONE,
            caller_phone=caller,
            voice_name=sample.name,
            latency_ms=410,
            sample_bytes=sample.size_bytes,
            status=CloneLog.Status.FAILED,
            error="Too many concurrent requests for your plan.",
        )

    @staticmethod
    def _listings(agency, index: int) -> None:
        """Each office's stock, imported from a REAXML file the way a CRM would send it."""
        from listings.services import import_reaxml
        from voqo.models import agency_zone

        today = timezone.localdate(timezone=agency_zone(agency))
        saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
        inspection = f"{saturday.day}-{saturday:%b-%Y}"
        records = []
        for number, (kind, status, street, suburb, postcode, category, price, beds) in enumerate(
            DEMO_LISTINGS[index], 1
        ):
            money = (
                f'<rent period="weekly">{price}</rent>'
                if kind == "rental"
                else f'<price display="yes">{price}</price>'
            )
            records.append(
                f'<{kind} modTime="{today:%Y-%m-%d}-09:00:00" status="{status}">'
                f"<agentID>DEMO{index + 1}</agentID><uniqueID>L{index + 1}-{number:03d}</uniqueID>"
                f"{money}<address><streetNumber>{street[0]}</streetNumber>"
                f"<street>{street[1]}</street><suburb>{suburb}</suburb><state>NSW</state>"
                f'<postcode>{postcode}</postcode></address><category name="{category}"/>'
                f"<headline>{beds} bedroom {category.lower()} in {suburb}</headline>"
                f"<features><bedrooms>{beds}</bedrooms><bathrooms>{max(1, beds - 1)}</bathrooms>"
                f"<garages>1</garages></features><inspectionTimes><inspection>{inspection} "
                f"{9 + number % 3}:00am to {9 + number % 3}:30am</inspection></inspectionTimes>"
                f'<listingAgent id="1"><name>Mary Lee</name></listingAgent></{kind}>'
            )
        document = (
            '<?xml version="1.0" encoding="UTF-8"?>\n<propertyList date="2026-01-01-09:00:00" '
            'username="demo" password="demo">' + "".join(records) + "</propertyList>"
        )
        import_reaxml(agency=agency, content=document.encode(), name="demo-stock.xml")

    @staticmethod
    def _listings_for_agent(agent) -> None:
        """The sales agent searches stock with the tool and cites the listings document; a few
        of its demo calls named a listing."""
        from calls.models import Call
        from knowledge.listings_document import set_listings_document
        from listings.models import Listing, ListingMention
        from listings.tool import set_search_tool

        set_search_tool(agent=agent, enabled=True)
        set_listings_document(agent=agent, enabled=True)
        listing = (
            Listing.objects.filter(agency=agent.agency, status__in=Listing.IN_STOCK)
            .order_by("unique_id")
            .first()
        )
        calls = Call.objects.filter(agent=agent).order_by("-started_at")[:3]
        ListingMention.objects.bulk_create(
            ListingMention(
                agency=agent.agency,
                listing=listing,
                conversation_id=call.elevenlabs_conversation_id,
            )
            for call in calls
            if listing is not None
        )

    def _sync(self, agents):
        """Sync the demo agents (in the sandbox this needs no network)."""
        try:
            from agents.services import sync_agent
        except ImportError:
            return
        for agent in agents:
            if not sync_agent(agent):
                self.stderr.write(f"Agent {agent.name} did not sync: {agent.sync_error}")


DEMO_SUBURBS = ("Bondi", "Coogee", "Newtown", "Randwick", "Balmain", "Manly")


def _demo_details(key: str, pick: random.Random, call) -> dict:
    """Plausible extracted details for a demo call with outcome `key`."""
    when = (call.started_at + timedelta(days=pick.randint(1, 6))).replace(
        hour=pick.choice((10, 11, 16, 17)), minute=0, second=0, microsecond=0
    )
    address = pick.choice(STREETS)
    return {
        "inspection_booked": {"listing": address, "time": when.isoformat()},
        "appraisal_booked": {"address": address, "preferred_time": when.isoformat()},
        "buyer_enquiry": {
            "suburbs": pick.sample(DEMO_SUBURBS, 2),
            "budget": pick.choice((950_000, 1_200_000, 1_500_000, 1_900_000)),
            "bedrooms": pick.choice((2, 3, 4)),
            "finance_status": pick.choice(("pre-approved", "arranging finance")),
        },
        "seller_lead": {"address": address, "timeframe": pick.choice(("3 months", "spring"))},
        "callback_requested": {"when": when.isoformat()},
        "maintenance_request": {
            "address": address,
            "issue": pick.choice(("No hot water", "Leaking tap", "Broken lock")),
            "urgency": pick.choice(("urgent", "routine")),
        },
    }.get(key, {})
