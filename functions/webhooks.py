"""The tool proxy ElevenLabs calls during a conversation: `POST /functions/<id>/invoke`."""

from __future__ import annotations

import hmac
import json
import logging

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from functions import services
from functions.models import CustomFunction, FunctionInvocation

logger = logging.getLogger(__name__)

CONVERSATION_HEADER = "X-Conversation-Id"
CONVERSATION_FIELD = "conversation_id"
# Compared when the function does not exist, so a missing id costs the same as a wrong token.
_UNKNOWN_FUNCTION_TOKEN = "x" * 43


@login_not_required
@csrf_exempt
@require_POST
def invoke(request: HttpRequest, function_id) -> JsonResponse:
    """Authenticate the tool call, run the function, answer with what the agent should read."""
    function = CustomFunction.objects.filter(pk=function_id).first()
    presented = request.headers.get(services.TOKEN_HEADER, "")
    expected = function.invocation_token if function else _UNKNOWN_FUNCTION_TOKEN
    if not (hmac.compare_digest(presented.encode(), expected.encode()) and function and presented):
        logger.warning("tool call for function %s refused: bad or missing token", function_id)
        return JsonResponse({"error": "Invalid or missing function token."}, status=401)

    try:
        arguments = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        arguments = None
    conversation_id = request.headers.get(CONVERSATION_HEADER, "")
    if isinstance(arguments, dict):
        declared = (function.parameters or {}).get("properties") or {}
        if CONVERSATION_FIELD in arguments and CONVERSATION_FIELD not in declared:
            conversation_id = str(arguments.pop(CONVERSATION_FIELD) or "") or conversation_id
        elif not conversation_id and isinstance(arguments.get(CONVERSATION_FIELD), str):
            conversation_id = arguments[CONVERSATION_FIELD]

    if not function.enabled:
        FunctionInvocation.objects.create(
            function=function,
            conversation_id=conversation_id[:128],
            status=FunctionInvocation.Status.ERROR,
            error="Called while disabled.",
        )
        return JsonResponse({"error": services.AGENT_MESSAGES["disabled"]}, status=410)

    result = services.invoke_function(
        function, arguments=arguments, conversation_id=conversation_id
    )
    return JsonResponse(
        result.payload, status=result.status_code, json_dumps_params={"ensure_ascii": False}
    )
