"""Provider-facing views of the contacts domain."""

import hmac
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contacts.personalisation import initiation_answer
from voqo.last_seen import note_refused_webhook, note_webhook


def _has_initiation_token(request: HttpRequest) -> bool:
    expected = settings.ELEVENLABS_INITIATION_TOKEN
    # META, not request.headers: building the headers mapping costs more than the check.
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, token = header.partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


@login_not_required
@csrf_exempt
@require_POST
def elevenlabs_initiation(request: HttpRequest) -> JsonResponse:
    """ElevenLabs asks who is calling before it answers: reply with the dynamic variables.

    Authenticated with `Authorization: Bearer <ELEVENLABS_INITIATION_TOKEN>` (the initiation
    webhook carries no signature). Kept lean: the caller hears ringing while this runs.
    """
    if not _has_initiation_token(request):
        note_refused_webhook("initiation", request, "Missing or wrong bearer token.")
        return JsonResponse({"error": "Missing or wrong bearer token."}, status=401)
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
    )
    note_webhook("initiation", request)
    return JsonResponse(answer)
