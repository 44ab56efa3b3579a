"""What the voices domain does: consent, cloning, a voice per caller, the clone cache."""

from __future__ import annotations

import time
from datetime import timedelta

from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from agents.voices import forget_workspace_voices
from calls.models import Call
from contacts.models import Contact
from voices.models import (
    CallCloneEvent,
    CallerVoice,
    CloneLog,
    LibraryVoice,
    VoiceClone,
    VoiceConsent,
    VoiceSample,
)
from voices.samples import CheckedSample
from voqo.events import record_audit
from voqo.models import Setting
from voqo.providers import ProviderError, VoiceSampleFile, get_provider

CLONE_QUEUED_SECONDS = 120  # one background clone per sample however often the caller rings


class ConsentRequired(Exception):
    """No voice is cloned without the speaker's consent on record."""


def record_consent(
    *, agency, speaker_name: str, statement: str = "", consent_file=None, user
) -> VoiceConsent:
    """Keep the speaker's signed statement or recorded consent, and who uploaded it."""
    if not statement.strip() and consent_file is None:
        raise ConsentRequired("Consent needs the signed statement or the recorded consent file.")
    consent = VoiceConsent.objects.create(
        agency=agency,
        speaker_name=speaker_name,
        statement=statement.strip(),
        consent_file=consent_file or "",
        uploaded_by=user,
        uploaded_by_name=user.get_username() if user else "",
    )
    record_audit(
        agency,
        user,
        "voice.consent",
        f"Recorded {speaker_name}'s consent to clone their voice",
        target=f"voice_consent:{consent.pk}",
    )
    return consent


def _clone(*, agency, name: str, samples: list[VoiceSampleFile], caller_phone: str = "") -> str:
    """Clone at the provider and log it (latency, size, outcome); raise ProviderError."""
    size = sum(len(sample.content) for sample in samples)
    started = time.monotonic()
    try:
        voice_id = get_provider(agency).clone_voice(name=name, samples=samples)
    except ProviderError as error:
        _log(agency, CloneLog.Operation.CLONE, started, size, name, caller_phone, error=error)
        raise
    _log(agency, CloneLog.Operation.CLONE, started, size, name, caller_phone, voice_id=voice_id)
    return voice_id


def _delete_at_provider(*, agency, voice_id: str, name: str, caller_phone: str = "") -> None:
    started = time.monotonic()
    try:
        get_provider(agency).delete_voice(voice_id)
    except ProviderError as error:
        _log(agency, CloneLog.Operation.DELETE, started, 0, name, caller_phone, voice_id, error)
        raise
    _log(agency, CloneLog.Operation.DELETE, started, 0, name, caller_phone, voice_id=voice_id)


def _log(agency, operation, started, size, name, phone, voice_id="", error=None) -> CloneLog:
    return CloneLog.objects.create(
        agency=agency,
        operation=operation,
        caller_phone=phone,
        voice_name=name,
        voice_id=voice_id,
        latency_ms=round((time.monotonic() - started) * 1000),
        sample_bytes=size,
        status=CloneLog.Status.FAILED if error else CloneLog.Status.SUCCESS,
        error=str(error) if error else "",
    )


def clone_library_voice(
    *, agency, consent: VoiceConsent | None, name: str, samples: list[CheckedSample], user
) -> LibraryVoice:
    """Clone a voice from checked samples into the library; only with consent on record.

    Raises ConsentRequired, or ProviderError (logged, nothing kept)."""
    if consent is None or consent.agency_id != agency.pk:
        raise ConsentRequired("Record the speaker's consent before cloning their voice.")
    files = [VoiceSampleFile(s.filename, s.content, s.content_type) for s in samples]
    voice_id = _clone(agency=agency, name=name, samples=files)
    voice = LibraryVoice.objects.create(
        agency=agency,
        consent=consent,
        name=name,
        voice_id=voice_id,
        sample_bytes=sum(len(s.content) for s in samples),
        created_by=user.get_username() if user else "",
    )
    forget_workspace_voices(agency)
    record_audit(
        agency,
        user,
        "voice.cloned",
        f"Cloned the voice {name} ({consent.speaker_name})",
        detail={"voice_id": voice_id},
        target=f"library_voice:{voice.pk}",
    )
    return voice


def rename_library_voice(*, voice: LibraryVoice, name: str, user) -> LibraryVoice:
    """Rename the voice in Voqo's library (its id at ElevenLabs stays)."""
    before, voice.name = voice.name, name
    voice.save(update_fields=["name"])
    record_audit(
        voice.agency,
        user,
        "voice.renamed",
        f"Renamed the voice {before} to {name}",
        target=f"library_voice:{voice.pk}",
    )
    return voice


def delete_library_voice(*, voice: LibraryVoice, user) -> None:
    """Delete the voice at ElevenLabs and from the library; its consent record stays.
    Callers mapped to it go back to the agent's voice."""
    agency = voice.agency
    _delete_at_provider(agency=agency, voice_id=voice.voice_id, name=voice.name)
    with transaction.atomic():
        Contact.objects.filter(caller_voice__library_voice=voice).update(voice_id="")
        voice.delete()
    forget_workspace_voices(agency)
    record_audit(
        agency,
        user,
        "voice.deleted",
        f"Deleted the voice {voice.name}",
        detail={"voice_id": voice.voice_id},
        target=f"library_voice:{voice.pk}",
    )


PREVIEW_RECHECK_SECONDS = 600  # a voice ElevenLabs had no preview for is asked again after


def preview_url(voice: LibraryVoice) -> tuple[str, str]:
    """(where the browser plays the voice's preview, why there is none): asked of the
    provider once and kept on the voice, never on every page view."""
    if voice.preview_url or not voice.voice_id:
        return voice.preview_url, ""
    if not cache.add(f"voqo:voice-preview-asked:{voice.pk}", 1, PREVIEW_RECHECK_SECONDS):
        return "", ""
    try:
        url = get_provider(voice.agency).voice_preview_url(voice.voice_id)
    except ProviderError as error:
        cache.delete(f"voqo:voice-preview-asked:{voice.pk}")
        return "", f"ElevenLabs did not give the preview ({error})."
    if url:
        voice.preview_url = url
        LibraryVoice.objects.filter(pk=voice.pk).update(preview_url=url)
    return url, ""


def add_sample(
    *, agency, consent: VoiceConsent | None, name: str, sample: CheckedSample, user
) -> VoiceSample:
    """Keep a consented sample that callers can be mapped to (cloned on first use)."""
    if consent is None or consent.agency_id != agency.pk:
        raise ConsentRequired("Record the speaker's consent before uploading their voice.")
    stored = VoiceSample(
        agency=agency,
        consent=consent,
        name=name,
        content_type=sample.content_type,
        size_bytes=len(sample.content),
        duration_secs=sample.duration_secs,
    )
    stored.audio.save(sample.filename, ContentFile(sample.content), save=False)
    stored.save()
    record_audit(
        agency,
        user,
        "voice.sample_added",
        f"Added the voice sample {name} ({consent.speaker_name})",
        target=f"voice_sample:{stored.pk}",
    )
    return stored


def ready_clone(sample: VoiceSample, *, now=None) -> VoiceClone | None:
    """The sample's clone that is ready and within its TTL, if there is one."""
    now = now or timezone.now()
    return (
        VoiceClone.objects.filter(sample=sample, status=VoiceClone.Status.READY, expires_at__gt=now)
        .order_by("-ready_at")
        .first()
    )


def map_caller(
    *,
    agency,
    contact: Contact | None = None,
    phone: str = "",
    library_voice: LibraryVoice | None,
    sample: VoiceSample | None,
    user,
) -> CallerVoice:
    """Give the contact, or else the E.164 `phone`, a voice of the agency's own people
    (replacing any earlier one). A contact's mapping wins over its number's."""
    who = {"contact": contact} if contact is not None else {"agency": agency, "phone": phone}
    with transaction.atomic():
        mapping, _ = CallerVoice.objects.update_or_create(
            **who,
            defaults={"agency": agency, "library_voice": library_voice, "sample": sample},
        )
        _copy_voice(mapping)
    record_audit(
        agency,
        user,
        "voice.caller_mapped",
        f"{mapping.who} now hears the voice {mapping.voice_name}",
        target=f"contact:{contact.pk}" if contact is not None else f"voice_caller:{mapping.pk}",
    )
    return mapping


def unmap_caller(*, mapping: CallerVoice, user) -> None:
    """The contact (or number) hears the agent's own voice again."""
    with transaction.atomic():
        mapping.delete()
        if mapping.contact_id:
            Contact.objects.filter(pk=mapping.contact_id).update(voice_id="", voice_sample_id=None)
    record_audit(
        mapping.agency,
        user,
        "voice.caller_unmapped",
        f"{mapping.who} hears the agent's voice again",
        target=f"contact:{mapping.contact_id}"
        if mapping.contact_id
        else f"voice_caller:{mapping.pk}",
    )


def _copy_voice(mapping: CallerVoice) -> None:
    """What the initiation answer reads: the ready voice id, else the sample to clone (on
    the contact for a contact's mapping, on the mapping itself for a number's)."""
    if mapping.library_voice_id:
        voice_id, sample_id = mapping.library_voice.voice_id, None
    else:
        clone = ready_clone(mapping.sample)
        voice_id, sample_id = (clone.voice_id, None) if clone else ("", mapping.sample_id)
    if mapping.contact_id:
        Contact.objects.filter(pk=mapping.contact_id).update(
            voice_id=voice_id, voice_sample_id=sample_id
        )
    else:
        CallerVoice.objects.filter(pk=mapping.pk).update(voice_id=voice_id)


def clone_ttl(agency) -> timedelta:
    """How long the agency keeps a caller's clone (setting voice_clone_ttl_hours)."""
    return timedelta(hours=int(Setting.get_value("voice_clone_ttl_hours", agency) or 24))


def clone_sample(
    *, sample: VoiceSample, caller_phone: str = "", rang_at=None, call_id=None
) -> VoiceClone:
    """The sample's clone from the cache, or a fresh clone at ElevenLabs; either way the
    mapped contacts and numbers then read its voice id. Idempotent: a ready clone is reused.

    With `rang_at` (a call asked for it), the fresh clone's ready or failed event is recorded
    on that call (`call_id`, or the inbound call from `caller_phone` once it is recorded)."""
    agency = sample.agency
    now = timezone.now()
    clone = ready_clone(sample, now=now)
    if clone is not None:
        return clone
    clone = VoiceClone.objects.create(agency=agency, sample=sample)
    with sample.audio.open("rb") as audio:
        content = audio.read()
    files = [VoiceSampleFile(sample.audio.name.rsplit("/", 1)[-1], content, sample.content_type)]
    try:
        clone.voice_id = _clone(
            agency=agency, name=sample.name, samples=files, caller_phone=caller_phone
        )
    except ProviderError as error:
        clone.status = VoiceClone.Status.FAILED
        clone.save(update_fields=["status"])
        if rang_at is not None:
            _record_call_event(
                sample, CallCloneEvent.Kind.FAILED, caller_phone, rang_at, call_id, error=error
            )
        record_audit(
            agency,
            None,
            "voice.clone_failed",
            f"Could not clone the voice {sample.name}: {error}",
            target=f"voice_sample:{sample.pk}",
        )
        raise
    clone.status, clone.ready_at = VoiceClone.Status.READY, timezone.now()
    clone.expires_at = clone.ready_at + clone_ttl(agency)
    clone.save(update_fields=["voice_id", "status", "ready_at", "expires_at"])
    Contact.objects.filter(caller_voice__sample=sample).update(
        voice_id=clone.voice_id, voice_sample_id=None
    )
    CallerVoice.objects.filter(sample=sample, contact__isnull=True).update(voice_id=clone.voice_id)
    if rang_at is not None:
        _record_call_event(
            sample, CallCloneEvent.Kind.READY, caller_phone, rang_at, call_id, clone.voice_id
        )
    record_audit(
        agency,
        None,
        "voice.cloned",
        f"Cloned the voice {sample.name} for its callers",
        detail={"voice_id": clone.voice_id},
        target=f"voice_sample:{sample.pk}",
    )
    return clone


# An inbound call's ring and the call's start (as its post-call event reports it) are
# seconds apart; a clone event is tied to the call from that number starting this near it.
CALL_MATCH_WINDOW = timedelta(minutes=2)


def _record_call_event(
    sample, kind, caller_phone, rang_at, call_id, voice_id="", error=None
) -> CallCloneEvent:
    event = CallCloneEvent.objects.create(
        agency=sample.agency,
        call_id=call_id,
        caller_phone=caller_phone,
        voice_name=sample.name,
        kind=kind,
        voice_id=voice_id,
        error=str(error) if error else "",
        rang_at=rang_at,
    )
    if call_id is None and caller_phone:
        # The inbound call may already be recorded (a slow clone, a short call).
        call = (
            Call.objects.filter(
                agency=sample.agency,
                direction=Call.Direction.INBOUND,
                from_phone=caller_phone,
                started_at__gte=rang_at - CALL_MATCH_WINDOW,
                started_at__lte=rang_at + CALL_MATCH_WINDOW,
            )
            .order_by("-started_at")
            .first()
        )
        if call is not None:
            CallCloneEvent.objects.filter(pk=event.pk).update(call=call)
    return event


def tie_clone_events_to_call(call) -> int:
    """Tie the clone events an inbound call's ring set off to the call, now recorded."""
    if call.direction != Call.Direction.INBOUND or not call.from_phone:
        return 0
    started = call.started_at or call.created_at
    return CallCloneEvent.objects.filter(
        agency_id=call.agency_id,
        caller_phone=call.from_phone,
        call__isnull=True,
        rang_at__gte=started - CALL_MATCH_WINDOW,
        rang_at__lte=(call.ended_at or started) + CALL_MATCH_WINDOW,
    ).update(call=call)


def clone_for_caller(
    *, agency_id, phone: str, sample_id=None, rang_at=None, call_id=None
) -> VoiceClone | None:
    """The background clone a mapped caller's ring (or outbound call) asked for (None:
    nothing to clone)."""
    if sample_id is not None:
        sample = (
            VoiceSample.objects.select_related("agency")
            .filter(agency_id=agency_id, pk=sample_id)
            .first()
        )
    else:
        mapping = (
            CallerVoice.objects.select_related("sample__agency")
            .filter(agency_id=agency_id, sample__isnull=False)
            .filter(Q(contact__phone=phone) | Q(phone=phone))
            .order_by(F("contact").asc(nulls_last=True))
            .first()
        )
        sample = mapping.sample if mapping else None
    if sample is None:
        return None
    return clone_sample(sample=sample, caller_phone=phone, rang_at=rang_at, call_id=call_id)


def note_voice_used(*, agency, voice_id: str) -> None:
    """Count a reuse of a cached clone (a call spoke with it)."""
    if voice_id:
        VoiceClone.objects.filter(
            agency=agency, voice_id=voice_id, status=VoiceClone.Status.READY
        ).update(reuse_count=F("reuse_count") + 1, last_used_at=timezone.now())


def expire_clones(*, now=None) -> int:
    """Delete clones past their TTL at ElevenLabs; their callers are cloned again on their
    next call. Returns how many were deleted."""
    now = now or timezone.now()
    deleted = 0
    expired = VoiceClone.objects.filter(
        status=VoiceClone.Status.READY, expires_at__lte=now
    ).select_related("agency", "sample")
    for clone in expired:
        try:
            _delete_at_provider(
                agency=clone.agency, voice_id=clone.voice_id, name=clone.sample.name
            )
        except ProviderError:
            continue  # logged; the next sweep tries again
        with transaction.atomic():
            clone.status = VoiceClone.Status.DELETED
            clone.save(update_fields=["status"])
            Contact.objects.filter(
                caller_voice__sample=clone.sample, voice_id=clone.voice_id
            ).update(voice_id="", voice_sample_id=clone.sample_id)
            CallerVoice.objects.filter(
                sample=clone.sample, contact__isnull=True, voice_id=clone.voice_id
            ).update(voice_id="")
        record_audit(
            clone.agency,
            None,
            "voice.clone_expired",
            f"Deleted the expired clone of {clone.sample.name}",
            detail={"voice_id": clone.voice_id, "reuse_count": clone.reuse_count},
            target=f"voice_sample:{clone.sample_id}",
        )
        deleted += 1
    return deleted


def on_caller_voice_needed(
    sender=None, *, agency_id, phone, sample_id, rang_at=None, call_id=None, **kwargs
) -> None:
    """Start the caller's clone in the background, once per sample while it is queued."""
    from voices.queue import queue_clone_for_caller

    if cache.add(f"voqo:clone-queued:{sample_id}", 1, CLONE_QUEUED_SECONDS):
        queue_clone_for_caller(
            agency_id=agency_id,
            phone=phone,
            sample_id=sample_id,
            rang_at=rang_at or timezone.now(),
            call_id=call_id,
        )


def on_voice_used(sender=None, *, agency, voice_id, **kwargs) -> None:
    """A call spoke with `voice_id`: count the reuse when it is a cached clone."""
    note_voice_used(agency=agency, voice_id=voice_id)


def on_outbound_voice_wanted(sender=None, *, call, **kwargs) -> str:
    """The voice an outbound call speaks with: the contact's mapping, else the called
    number's (one query, only for a contact without a mapping). A sample not cloned yet
    starts cloning (its event is recorded on this call) and this call keeps the agent's."""
    contact = call.contact if call.contact_id else None
    if contact is not None and (contact.voice_id or contact.voice_sample_id):
        voice_id, sample_id = contact.voice_id, contact.voice_sample_id
    else:
        mapped = (
            CallerVoice.objects.filter(agency_id=call.agency_id, phone=call.to_phone)
            .values_list("voice_id", "sample_id")
            .first()
        )
        voice_id, sample_id = mapped or ("", None)
    if not voice_id and sample_id:
        on_caller_voice_needed(
            agency_id=call.agency_id, phone=call.to_phone, sample_id=sample_id, call_id=call.pk
        )
    return voice_id or ""


def on_post_call_recorded(sender=None, *, call, **kwargs) -> None:
    tie_clone_events_to_call(call)


def on_contact_forgetting(sender=None, *, contact, call_ids, **kwargs) -> None:
    """Forgetting a person: their number leaves the clone log and their calls' clone events,
    and a mapping of their number goes (their own mapping goes with the contact)."""
    agency_id, phone = contact.agency_id, contact.phone
    CallCloneEvent.objects.filter(Q(call_id__in=call_ids) | Q(caller_phone=phone)).filter(
        agency_id=agency_id
    ).update(caller_phone="")
    CloneLog.objects.filter(agency_id=agency_id, caller_phone=phone).update(caller_phone="")
    CallerVoice.objects.filter(agency_id=agency_id, phone=phone).delete()
