"""Provider-facing views of the contacts domain."""

import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from agencies.provider_accounts import bearer_token_matches, webhook_keys
from contacts.personalisation import initiation_answer
from voqo.last_seen import note_refused_webhook, note_webhook

WRONG_TOKEN = "Missing or wrong bearer token."


@login_not_required
@csrf_exempt
@require_POST
def elevenlabs_initiation(request: HttpRequest) -> HttpResponse:
    """ElevenLabs asks who is calling before it answers: reply with the dynamic variables.

    Authenticated with `Authorization: Bearer <ELEVENLABS_INITIATION_TOKEN>` (the initiation
    webhook carries no signature). Kept lean: the caller hears ringing while this runs.
    """
    return _answer(request, token=settings.ELEVENLABS_INITIATION_TOKEN, agency=None)


@login_not_required
@csrf_exempt
@require_POST
def agency_elevenlabs_initiation(request: HttpRequest, agency_id) -> HttpResponse:
    """An agency's own initiation webhook: its own workspace's token (the install's when it
    brought none); only that agency's agents and contacts are known here. The token and
    the agency come from a process cache, so the answer still costs one query."""
    keys = webhook_keys(agency_id)
    if keys is None:
        return JsonResponse({"error": "No such agency."}, status=404)
    return _answer(request, token=keys.initiation_token_or_install(), agency=keys.agency)


def _answer(request: HttpRequest, *, token: str, agency) -> HttpResponse:
    # META, not request.headers: building the headers mapping costs more than the check.
    if not bearer_token_matches(request.META.get("HTTP_AUTHORIZATION", ""), token):
        note_refused_webhook("initiation", request, WRONG_TOKEN)
        return JsonResponse({"error": WRONG_TOKEN}, status=401)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return JsonResponse({"error": "The body is not valid JSON."}, status=400)
    if not isinstance(payload, dict):
        return JsonResponse({"error": "The body must be a JSON object."}, status=400)
    caller_id = payload.get("caller_id")
    agent_id = payload.get("agent_id")
    called_number = payload.get("called_number")
    answer = initiation_answer(
        caller_id=caller_id if isinstance(caller_id, str) else "",
        elevenlabs_agent_id=agent_id if isinstance(agent_id, str) else "",
        called_number=called_number if isinstance(called_number, str) else "",
        agency=agency,
    )
    note_webhook("initiation", request)
    # The answer holds only text: the plain encoder, without JsonResponse's Django one.
    return HttpResponse(json.dumps(answer), content_type="application/json")
