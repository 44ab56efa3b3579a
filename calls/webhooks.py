"""Provider-facing views: the ElevenLabs post-call webhook and Twilio's SMS webhooks.

They verify, store and answer; the work happens in tasks (calls.receiving onwards).
"""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from agencies.provider_accounts import webhook_keys
from calls import receiving, replies
from calls.twilio_numbers import NumberOwner, owner_of_number
from voqo.last_seen import note_refused_webhook, note_webhook
from voqo.providers.elevenlabs_webhooks import (
    EVENT_TYPES,
    InvalidWebhookBody,
    decode_event,
    signature_problem,
    usable_conversation_id,
)

# post_call_audio carries a base64 MP3: far above Django's 2.5 MB default for request.body.
MAX_POST_CALL_BODY = 64 * 1024 * 1024
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response/>'


def _reject(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status)


RECEIVED, DUPLICATE = b'{"status": "received"}', b'{"status": "duplicate"}'


@login_not_required
@csrf_exempt
@require_POST
def elevenlabs_post_call(request: HttpRequest) -> HttpResponse:
    """The install's post-call webhook (ELEVENLABS_WEBHOOK_SECRET): verify, store once,
    queue, answer 200 — ElevenLabs disables slow or failing webhooks."""
    return _receive_post_call(request, secret=settings.ELEVENLABS_WEBHOOK_SECRET, agency=None)


@login_not_required
@csrf_exempt
@require_POST
def agency_elevenlabs_post_call(request: HttpRequest, agency_id) -> HttpResponse:
    """An agency's own post-call webhook, checked with the secret of its own workspace (the
    install's when it brought none); its events only ever touch that agency's rows."""
    keys = webhook_keys(agency_id)
    if keys is None:
        return _reject(404, "No such agency.")
    return _receive_post_call(
        request, secret=keys.post_call_secret_or_install(), agency=keys.agency
    )


def _receive_post_call(request: HttpRequest, *, secret: str, agency) -> HttpResponse:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_POST_CALL_BODY:
        return _reject(413, "Body too large.")
    # Read the stream ourselves: request.body would refuse bodies above
    # DATA_UPLOAD_MAX_MEMORY_SIZE, and post_call_audio events are larger.
    body = request.read(MAX_POST_CALL_BODY + 1)
    if len(body) > MAX_POST_CALL_BODY:
        return _reject(413, "Body too large.")
    problem = signature_problem(
        # META, not request.headers: building the headers mapping costs more than the check.
        request.META.get("HTTP_ELEVENLABS_SIGNATURE", ""),
        body,
        secret,
        time.time(),
    )
    if problem:
        note_refused_webhook("post_call", request, problem)
        return _reject(401, problem)
    try:
        event, stored_text = decode_event(body)
    except InvalidWebhookBody as error:
        return _reject(400, str(error))
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type:
        return _reject(400, "Missing event type.")
    if event_type not in EVENT_TYPES:
        # New event kinds (with or without a conversation id) must not count toward
        # ElevenLabs disabling the webhook.
        return JsonResponse({"status": "ignored"})
    data = event.get("data")
    conversation_id = data.get("conversation_id") if isinstance(data, dict) else None
    if problem := usable_conversation_id(conversation_id):
        return _reject(400, problem)
    stored = receiving.store_webhook_event(
        event_type=event_type,
        conversation_id=conversation_id,
        payload=event,
        raw_body=stored_text,
        agency=agency,
    )
    note_webhook("post_call", request)
    return HttpResponse(RECEIVED if stored else DUPLICATE, content_type="application/json")


def twilio_signed(number_field: str):
    """Refuse Twilio webhooks without a valid X-Twilio-Signature (403), checked with the
    auth token of the account that owns the number in `number_field` (calls.twilio_numbers);
    the view gets that number's owner as `owner`."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            # Twilio signed the public URL; behind a proxy the Host header is not that URL.
            url = settings.PUBLIC_BASE_URL + request.get_full_path()
            signature = request.headers.get("X-Twilio-Signature", "")
            owner = owner_of_number(request.POST.get(number_field, "")) if signature else None
            if (
                owner is None
                or not owner.auth_token
                or not RequestValidator(owner.auth_token).validate(url, request.POST, signature)
            ):
                # The views are named after their webhook kinds ("twilio_sms", ...).
                note_refused_webhook(view.__name__, request, "Invalid Twilio signature.")
                return HttpResponse(
                    "Invalid Twilio signature.", status=403, content_type="text/plain"
                )
            return view(request, *args, owner=owner, **kwargs)

        return wrapper

    return decorator


@login_not_required
@csrf_exempt
@require_POST
@twilio_signed(number_field="To")  # a reply is sent to the agency's number
def twilio_sms(request: HttpRequest, owner: NumberOwner) -> HttpResponse:
    """An inbound SMS: stored once per MessageSid; STOP/START (or YES) opt its number out or in."""
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    if not sid:
        return HttpResponse("Missing MessageSid.", status=400, content_type="text/plain")
    replies.record_inbound_sms(
        sid=sid[:64],
        from_phone=request.POST.get("From", ""),
        to_phone=request.POST.get("To", ""),
        body=request.POST.get("Body", ""),
        agencies=owner.agencies,
        opt_out_type=request.POST.get("OptOutType", ""),
    )
    note_webhook("twilio_sms", request)
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")


@login_not_required
@csrf_exempt
@require_POST
@twilio_signed(number_field="From")  # the status of an SMS the agency's number sent
def twilio_sms_status(request: HttpRequest, owner: NumberOwner) -> HttpResponse:
    """A delivery status callback for an SMS Voqo sent."""
    sid = request.POST.get("MessageSid") or request.POST.get("SmsSid") or ""
    status = request.POST.get("MessageStatus") or request.POST.get("SmsStatus") or ""
    if not sid or not status:
        return HttpResponse(
            "Missing MessageSid or MessageStatus.", status=400, content_type="text/plain"
        )
    replies.record_sms_status(sid=sid, status=status, error_code=request.POST.get("ErrorCode", ""))
    note_webhook("twilio_sms_status", request)
    return HttpResponse(status=204)
