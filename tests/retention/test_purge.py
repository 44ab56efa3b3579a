"""The purge removes what each agency keeps past its retention — recordings, transcripts,
raw webhook payloads — plus finished task rows and expired invitations, in batches, and
counts each run in the audit trail. `--dry-run` counts and changes nothing."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule, Task

from agencies.models import Invitation
from audit.models import AuditEntry
from calls.models import Call, WebhookEvent
from retention import purge
from tests.factories import default_agency, make_agency, make_call
from tests.fakeprovider.server import FAKE_MP3
from voqo.models import Setting

pytestmark = pytest.mark.django_db


def _aged(model, row, days: int, field: str = "created_at"):
    model.objects.filter(pk=row.pk).update(**{field: timezone.now() - timedelta(days=days)})
    return row


def _call_with_recording(days: int, **fields) -> Call:
    call = make_call(**fields)
    call.recording_file.save(f"{call.pk}.mp3", ContentFile(FAKE_MP3), save=True)
    return _aged(Call, call, days)


def _run(*args) -> str:
    out = StringIO()
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("purge", *args, stdout=out)
    return out.getvalue()


def test_recordings_older_than_the_agencys_retention_are_deleted_with_their_files():
    old = _call_with_recording(181)
    recent = _call_with_recording(179)
    old_name = Call.objects.get(pk=old.pk).recording_file.name

    output = _run()

    old.refresh_from_db()
    recent.refresh_from_db()
    assert "recordings: removed 1" in output
    assert not old.recording_file and old.recording_removed
    assert not default_storage.exists(old_name)
    assert recent.recording_file and not recent.recording_removed
    assert old.transcript and old.summary  # transcripts keep their own, longer retention


def test_a_purged_recording_is_never_fetched_from_the_provider_again(
    staff_client, live_provider_settings
):
    fake = live_provider_settings
    call = _aged(Call, make_call(elevenlabs_conversation_id="conv_old"), 200)
    fake.add_audio("conv_old", FAKE_MP3)

    _run()

    response = staff_client.get(reverse("calls:recording", args=[call.pk]))
    page = staff_client.get(reverse("calls:detail", args=[call.pk])).content.decode()
    assert response.status_code == 404
    assert fake.requests_to("GET", "/v1/convai/conversations/conv_old/audio") == []
    assert "The recording was deleted on" in page


def test_each_agency_keeps_its_own_retention():
    short = make_agency()
    Setting.set_value("retention_transcript_days", 10, short)
    ours = _aged(Call, make_call(), 20)
    theirs = _aged(Call, make_call(agency=short), 20)

    _run()

    assert Call.objects.get(pk=ours.pk).transcript != []
    assert Call.objects.get(pk=theirs.pk).transcript == []


def test_old_webhook_payloads_are_emptied_once_processed_and_their_rows_kept():
    def event(conversation_id, days, **fields):
        row = WebhookEvent.objects.create(
            agency=default_agency(),
            event_type="post_call_transcription",
            conversation_id=conversation_id,
            payload={"data": {"transcript": "words"}},
            **fields,
        )
        return _aged(WebhookEvent, row, days, "received_at")

    done = event("conv_done", 31, processed_at=timezone.now())
    waiting = event("conv_waiting", 31)
    fresh = event("conv_fresh", 29, processed_at=timezone.now())

    _run()

    assert WebhookEvent.objects.get(pk=done.pk).payload == {}
    assert WebhookEvent.objects.get(pk=waiting.pk).payload != {}
    assert WebhookEvent.objects.get(pk=fresh.pk).payload != {}


def test_finished_task_rows_go_after_seven_days_and_expired_invitations_go():
    def task(name, days):
        stopped = timezone.now() - timedelta(days=days)
        return Task.objects.create(
            id=name, name=name, func="x", started=stopped, stopped=stopped, success=True
        )

    task("old-task", 8)
    task("new-task", 6)
    expired = _aged(
        Invitation, Invitation.objects.create(agency=default_agency(), email="a@b.c"), 8
    )
    open_one = Invitation.objects.create(agency=default_agency(), email="d@e.f")

    output = _run()

    assert list(Task.objects.values_list("name", flat=True)) == ["new-task"]
    assert list(Invitation.objects.all()) == [open_one]
    assert expired.pk not in Invitation.objects.values_list("pk", flat=True)
    assert "finished task rows: removed 1" in output
    assert "expired invitations: removed 1" in output


def test_a_dry_run_prints_counts_and_changes_nothing():
    _call_with_recording(400)
    _aged(Call, make_call(elevenlabs_conversation_id=None), 800)  # no recording anywhere

    output = _run("--dry-run")

    assert "recordings: would remove 1" in output
    assert "transcripts: would remove 1" in output
    assert "Dry run: nothing was changed." in output
    assert Call.objects.exclude(recording_file="").count() == 1
    assert Call.objects.exclude(transcript=[]).count() == 2
    assert not AuditEntry.objects.filter(kind="purge").exists()


def test_each_purge_is_counted_in_the_audit_trail():
    _call_with_recording(181)

    _run()
    _run()

    agency_entry = AuditEntry.objects.get(kind="purge", agency=default_agency())
    install_entries = AuditEntry.objects.filter(kind="purge", agency__isnull=True)
    assert agency_entry.detail["counts"] == {"recordings": 1}
    assert agency_entry.summary == "Purge past retention: 1 recordings"
    assert install_entries.count() == 2  # every run, even one with nothing due


def test_the_purge_works_in_batches_each_its_own_transaction(monkeypatch):
    monkeypatch.setattr(purge, "BATCH_SIZE", 3)
    for _ in range(7):
        _aged(Call, make_call(), 800)
    batches = []
    real_atomic = purge.transaction.atomic

    def counting_atomic(*args, **kwargs):
        batches.append(1)
        return real_atomic(*args, **kwargs)

    monkeypatch.setattr(purge.transaction, "atomic", counting_atomic)

    result = purge.run_purge()

    assert result.totals["transcripts"] == 7
    assert Call.objects.exclude(transcript=[]).count() == 0
    assert len(batches) >= 3  # 3 + 3 + 1 transcripts, one transaction each


def test_adding_a_step_is_one_line(monkeypatch):
    removed = []
    step = purge.PurgeStep("idempotency keys", purge.install_wide(lambda: removed.append(1) or 4))
    monkeypatch.setattr(purge, "PURGE_STEPS", [*purge.PURGE_STEPS, step])

    output = _run()

    assert removed == [1]
    assert "idempotency keys: removed 4" in output


def test_the_purge_is_scheduled_hourly_on_migrate():
    call_command("migrate", "django_q", verbosity=0)
    schedule = Schedule.objects.get(func="retention.tasks.purge")
    assert schedule.schedule_type == Schedule.HOURLY and schedule.repeats == -1
