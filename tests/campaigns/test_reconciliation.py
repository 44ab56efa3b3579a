"""A campaign call whose post-call webhook never came is fetched from the provider and
handed to the calls pipeline, so it gets everything a webhook would have given it."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from calls.models import Call
from campaigns import engine
from campaigns.models import Job, JobCall
from contacts.models import Contact
from tests.campaigns.helpers import make_job, mobiles
from tests.fakeprovider import load_payload

pytestmark = pytest.mark.django_db
MESSAGES = "/2010-04-01/Accounts/"


def test_a_lost_webhook_is_reconciled_through_the_calls_pipeline(
    live_provider_settings, django_capture_on_commit_callbacks
):
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    job_call = job.job_calls.select_related("call").get()
    conversation_id = job_call.call.elevenlabs_conversation_id
    # What ElevenLabs knows once the call is over: the full conversation.
    done = copy.deepcopy(load_payload("post_call_transcription__outbound")["data"])
    done.update(conversation_id=conversation_id, agent_id=job.agent.elevenlabs_agent_id)
    done["metadata"]["phone_call"]["external_number"] = mobiles(1)[0]
    live_provider_settings.add_conversation(done)

    with django_capture_on_commit_callbacks(execute=True):  # the SMS is queued after commit
        engine.dispatch_tick(now=timezone.now() + engine.RESULT_TIMEOUT + timedelta(minutes=1))

    call = Call.objects.get(pk=job_call.call.pk)
    assert call.status == "completed" and call.summary and call.transcript
    assert call.duration == done["metadata"]["call_duration_secs"]
    contact = Contact.objects.get(phone=mobiles(1)[0])
    assert call.contact == contact and contact.memories.exists()
    assert call.sms_status == "sent"
    assert live_provider_settings.requests_to("POST", MESSAGES)
    job_call.refresh_from_db()
    assert job_call.status == JobCall.Status.COMPLETED
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED


def test_a_conversation_still_in_progress_is_left_alone(live_provider_settings):
    job = make_job(mobiles(1))
    engine.dispatch_tick()
    job_call = job.job_calls.select_related("call").get()
    conversation = live_provider_settings.conversations[job_call.call.elevenlabs_conversation_id]
    conversation["status"] = "in-progress"

    engine.dispatch_tick(now=timezone.now() + engine.RESULT_TIMEOUT + timedelta(minutes=1))

    job_call.refresh_from_db()
    assert job_call.status == JobCall.Status.CALLING
    assert Call.objects.get(pk=job_call.call_id).status == "initiated"
