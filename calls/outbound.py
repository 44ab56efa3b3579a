"""Placing an outbound call: the one path used by "Call now" and by campaigns."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from agencies.models import Agency
from agents.models import Agent
from calls.models import Call
from calls.ownership import agency_of, install_agency
from compliance.rules import dial_refusal, record_refusals
from contacts.models import Contact
from contacts.opt_out import is_suppressed
from phone_numbers.models import PhoneNumber
from phone_numbers.selectors import NoCallerId, caller_id_for
from voqo import calling_window
from voqo.events import announce_voice_used, voice_for_outbound_call
from voqo.models import agency_zone
from voqo.permissions import is_agency_owner
from voqo.phones import format_phone, outbound_call_problem
from voqo.providers import Provider, ProviderError, get_provider

logger = logging.getLogger(__name__)


class OutboundCallRefused(Exception):
    """Voqo will not place this call (disabled or unsynced agent, opted-out number, a number
    that is not a mobile or landline); nothing was dialled."""


@dataclass(frozen=True)
class CallerId:
    """The number a call goes out from, resolved once per dial: the agency's `number`, or
    None for the install's (TWILIO_PHONE_NUMBER)."""

    number: PhoneNumber | None

    @property
    def e164(self) -> str:
        return self.number.number if self.number is not None else settings.TWILIO_PHONE_NUMBER


class CallingWindowClosed(OutboundCallRefused):
    """It is outside the recipient's calling window; `check.opens_at` is when it opens."""

    def __init__(self, message: str, check: calling_window.WindowCheck) -> None:
        super().__init__(message)
        self.check = check


@dataclass(frozen=True)
class WindowOverride:
    """An owner's "call anyway" outside the window (the person asked to be called now)."""

    user: object  # the signed-in user; is_agency_owner() decides
    reason: str


class OutboundCallFailed(Exception):
    """The provider refused or failed the call; `call` is recorded as failed with the reason.

    When `error.outcome_unknown` is set the provider may have dialled anyway (timeout, 5xx):
    the call stays `initiated` so nobody re-dials blindly; reconcile it instead.
    """

    def __init__(self, call: Call, error: ProviderError) -> None:
        super().__init__(str(error))
        self.call = call
        self.error = error


def prepare_outbound_call(
    *,
    agent: Agent,
    agency: Agency | None = None,
    to_phone: str,
    dynamic_variables: dict[str, str],
    contact: Contact | None = None,
    window_override_by: str = "",
    window_override_reason: str = "",
    caller_number: PhoneNumber | None = None,
    purpose: str = calling_window.TELEMARKETING,
    caller: CallerId | None = None,
    opt_out_checked: bool = False,
) -> Call:
    """Check the agent may call and create the call record with status `initiated`.

    `dynamic_variables` are stored on the record (what the agent knew at call start) and
    sent to the provider by dial_outbound_call(); the contact's last call time is set.

    The record exists before anything is dialled, so a crash before the provider answers
    leaves a visible row to reconcile, never an untracked call. Raises OutboundCallRefused.
    The calling window and the register are not checked here: campaigns claim only rows
    whose window is open and whose number may be called for the job's purpose, and single
    calls check both in place_outbound_call().

    `agency` defaults to the agent's; a suspended agency places no calls. The call goes out
    from `caller_number` (one of the agency's active outbound numbers), else the agency's
    default outbound number, else the install's number — never another agency's. A caller
    that resolved it already passes `caller` (resolve_caller_id), and `opt_out_checked` when
    it has just looked the number up in the suppression list itself.
    """
    agency = _calling_agency(agency, agent, contact)
    refuse_unless_callable(agent, contact, to_phone, agency=agency, opt_out_checked=opt_out_checked)
    from_phone = (caller or resolve_caller_id(agency, caller_number)).e164
    call = Call.objects.create(
        agency=agency,
        agent=agent,
        agent_name=agent.name,
        contact=contact,
        direction=Call.Direction.OUTBOUND,
        status=Call.Status.INITIATED,
        from_phone=from_phone,
        to_phone=to_phone,
        dynamic_variables=dynamic_variables,
        window_override_by=window_override_by,
        window_override_reason=window_override_reason,
        purpose=purpose,
    )
    if contact is not None:
        Contact.objects.filter(pk=contact.pk).update(last_call_at=call.created_at)
    return call


def caller_id(agency: Agency, chosen: PhoneNumber | None = None) -> str:
    """The E.164 number a call of `agency` goes out from (see prepare_outbound_call);
    OutboundCallRefused when there is none it may use."""
    return resolve_caller_id(agency, chosen).e164


def resolve_caller_id(agency: Agency, chosen: PhoneNumber | None = None) -> CallerId:
    """The number a call of `agency` goes out from, for prepare_outbound_call and
    dial_outbound_call to share; OutboundCallRefused when there is none it may use."""
    try:
        number = caller_id_for(agency, chosen)
    except NoCallerId as problem:
        raise OutboundCallRefused(str(problem)) from None
    if number is not None and not number.registered:
        raise OutboundCallRefused(
            f"{number.number} is not registered with ElevenLabs yet: retry it on the Phone "
            "numbers page, or call from another number."
        )
    return CallerId(number)


def _phone_number_id(call: Call, caller: CallerId | None = None) -> str:
    """The ElevenLabs id of the agency's number the call goes out from ("" = the install's).

    `caller`, when prepare_outbound_call resolved it, already says which: no query."""
    if caller is not None:
        return caller.number.elevenlabs_phone_number_id if caller.number is not None else ""
    return (
        PhoneNumber.objects.filter(agency_id=call.agency_id, number=call.from_phone)
        .values_list("elevenlabs_phone_number_id", flat=True)
        .first()
        or ""
    )


def _calling_agency(agency: Agency | None, agent: Agent, contact: Contact | None) -> Agency:
    """The agency placing the call; OutboundCallRefused when it is suspended or when the
    agent or contact belongs to another agency."""
    agency = agency or agency_of(agent) or install_agency()
    for row, what in ((agent, "agent"), (contact, "contact")):
        owner = agency_of(row)
        if owner is not None and owner.pk != agency.pk:
            raise OutboundCallRefused(f"That {what} belongs to another agency.")
    refuse_if_suspended(agency)
    return agency


def refuse_if_suspended(agency: Agency) -> None:
    """OutboundCallRefused when `agency` is suspended: nothing dials for it until it is active."""
    if not agency.active:
        raise OutboundCallRefused(
            f"{agency.name} is suspended, so Voqo places no calls for it until it is active again."
        )


def refuse_unless_callable(
    agent: Agent,
    contact: Contact | None,
    to_phone: str,
    *,
    agency: Agency,
    opt_out_checked: bool = False,
) -> None:
    """OutboundCallRefused when `agent` may not call `to_phone` (disabled or unsynced agent,
    opted-out contact or number, a number that is not a mobile or landline); the suppression
    list is not read again when the caller has just done so (`opt_out_checked`)."""
    if not agent.enabled:
        raise OutboundCallRefused(f"{agent.name} is disabled, so it cannot place calls.")
    if not agent.elevenlabs_agent_id:
        raise OutboundCallRefused(
            f"{agent.name} is not synced to ElevenLabs yet. Open the agent and retry the sync."
        )
    if contact is not None and contact.opted_out_at is not None:
        raise OutboundCallRefused(
            f"{contact.name or contact.phone} has opted out, so Voqo will not call them."
        )
    if not opt_out_checked and is_suppressed(to_phone, agency=agency):
        raise OutboundCallRefused(
            f"{format_phone(to_phone)} has opted out of calls and messages, so Voqo will not "
            "call it."
        )
    if problem := outbound_call_problem(to_phone):
        raise OutboundCallRefused(problem)


def check_calling_window(
    *,
    to_phone: str,
    contact: Contact | None,
    agency: Agency,
    now: datetime | None = None,
    purpose: str = calling_window.TELEMARKETING,
) -> calling_window.WindowCheck:
    """The recipient's calling window for a single call of `purpose` (their contact's state,
    else the agency's, else every Australian zone)."""
    state = contact.state if contact is not None else ""
    return calling_window.check_number(
        to_phone,
        agency=agency,
        state=state,
        now=now or timezone.now(),
        purpose=purpose,
    )


def describe_opening(check: calling_window.WindowCheck, *, agency: Agency) -> str:
    """'Mon 16 Mar, 9:00 AM (Perth time)': in the recipient's zone when there is one, else
    in `agency`'s."""
    zone = ZoneInfo(check.zone_name) if check.zone_name else agency_zone(agency)
    local = check.opens_at.astimezone(zone)
    city = zone.key.split("/")[-1].replace("_", " ")
    return f"{local:%a} {local.day} {local:%b}, {local:%-I:%M %p} ({city} time)"


def window_closed_message(check: calling_window.WindowCheck, who: str, *, agency: Agency) -> str:
    return (
        f"It is outside calling hours for {who} ({check.reason}). "
        f"Voqo may call from {describe_opening(check, agency=agency)}."
    )


def dial_outbound_call(
    call: Call,
    *,
    first_message: str | None = None,
    prompt: str | None = None,
    caller: CallerId | None = None,
    provider_for: Callable[[Agency], Provider] | None = None,
) -> Call:
    """Ask the provider to dial a prepared call; store its conversation id or the failure.

    `prompt` replaces the agent's prompt for this call; `agent_phone_number_id` is the
    provider's id of the number dialled from (default: the install's).

    Raises OutboundCallFailed (the call is marked failed unless the outcome is unknown), or
    OutboundCallRefused when the agency was suspended since the call was prepared (the call
    is marked failed with that reason; nothing was dialled). `caller`: the number
    prepare_outbound_call resolved, so it is not looked up again. `provider_for`: the
    agency's provider (a campaign dispatch resolves it once for all its dials).
    """
    try:
        refuse_if_suspended(call.agency)
    except OutboundCallRefused as refusal:
        call.status, call.failure_reason = Call.Status.FAILED, str(refusal)
        call.save(update_fields=["status", "failure_reason"])
        raise
    # The callee's own voice (voices app) for this conversation only: never by changing
    # the agent that overlapping calls share.
    voice_id = voice_for_outbound_call(call)
    try:
        started = (provider_for or get_provider)(call.agency).start_outbound_call(
            agent_id=call.agent.elevenlabs_agent_id,
            to_number=call.to_phone,
            dynamic_variables=call.dynamic_variables,
            first_message=first_message,
            phone_number_id=_phone_number_id(call, caller),
            prompt=prompt,
            voice_id=voice_id or None,
        )
    except ProviderError as error:
        logger.warning("outbound call %s to %s failed: %r", call.id, call.to_phone, error)
        call.failure_reason = str(error)
        fields = ["failure_reason"]
        if not error.outcome_unknown:
            call.status = Call.Status.FAILED
            fields.append("status")
        call.save(update_fields=fields)
        raise OutboundCallFailed(call, error) from error
    call.elevenlabs_conversation_id = started.conversation_id
    call.voice_id = voice_id
    call.save(update_fields=["elevenlabs_conversation_id", "voice_id"])
    if voice_id:
        announce_voice_used(call.agency, voice_id)
    return call


def place_outbound_call(
    *,
    agent: Agent,
    agency: Agency | None = None,
    to_phone: str,
    dynamic_variables: dict[str, str],
    contact: Contact | None = None,
    first_message: str | None = None,
    window_override: WindowOverride | None = None,
    now: datetime | None = None,
    caller_number: PhoneNumber | None = None,
    purpose: str = calling_window.TELEMARKETING,
) -> Call:
    """Check the register rules and the recipient's calling window for `purpose`, then
    prepare and dial (the single-call path).

    A telemarketing call the register rules forbid is refused (OutboundCallRefused, the
    refusal kept for the compliance page); no override lifts that. Outside the window the
    call is refused (CallingWindowClosed, with when it opens) unless an owner overrides it
    with a reason, which is kept on the call. Raises like the steps.
    """
    agency = _calling_agency(agency, agent, contact)
    refuse_unless_callable(agent, contact, to_phone, agency=agency)
    caller_id(agency, caller_number)  # a number it may not call from is refused first
    moment = now or timezone.now()
    refusal = dial_refusal(
        agency=agency,
        greeting=agent.greeting_message,
        phone=to_phone,
        purpose=purpose,
        now=moment,
        caller_number=caller_number,
    )
    if refusal is not None:
        record_refusals(agency=agency, refusals={to_phone: refusal}, purpose=purpose, now=moment)
        raise OutboundCallRefused(f"Voqo will not make this telemarketing call. {refusal}")
    check = check_calling_window(
        to_phone=to_phone, contact=contact, agency=agency, now=now, purpose=purpose
    )
    override_by = override_reason = ""
    if not check.is_open:
        who = (contact.name if contact is not None else "") or to_phone
        if window_override is None:
            raise CallingWindowClosed(window_closed_message(check, who, agency=agency), check)
        if not is_agency_owner(window_override.user, agency):
            raise OutboundCallRefused(
                "Only an owner can call outside calling hours. "
                f"Voqo may call {who} from {describe_opening(check, agency=agency)}."
            )
        override_reason = " ".join(window_override.reason.split())
        if not override_reason:
            raise CallingWindowClosed(
                "Say why you are calling outside calling hours (e.g. they asked to be called "
                "now); the reason is kept with the call.",
                check,
            )
        override_by = window_override.user.get_username()
    call = prepare_outbound_call(
        agent=agent,
        agency=agency,
        to_phone=to_phone,
        dynamic_variables=dynamic_variables,
        contact=contact,
        window_override_by=override_by,
        window_override_reason=override_reason,
        caller_number=caller_number,
        purpose=purpose,
    )
    return dial_outbound_call(call, first_message=first_message)
