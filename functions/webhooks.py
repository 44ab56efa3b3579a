"""The tool proxy ElevenLabs calls during a conversation: `POST /functions/<id>/invoke`.

HTTP errors are for authentication only (401). ElevenLabs hides other tool errors from the
agent, so everything the agent can act on is a 200 whose body says so (`invocation.py`);
a body nested too deeply to be a tool call is refused with 400.
"""

from __future__ import annotations

import hmac
import logging
import re

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from functions import services
from functions.invocation import agent_error, invoke_function
from functions.jsonlimits import MAX_JSON_DEPTH, JSONTooDeep, load_json
from functions.models import CustomFunction, FunctionInvocation
from voqo.crypto import is_undecryptable

logger = logging.getLogger(__name__)

CONVERSATION_FIELD = "conversation_id"
# What a conversation id looks like; anything else (an unfilled "{{system__conversation_id}}"
# from a dashboard test, say) is not logged as one.
CONVERSATION_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
# Compared when the function does not exist, so a missing id costs the same as a wrong token.
_UNKNOWN_FUNCTION_TOKEN = "x" * 43


def _answer(payload: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})


def _conversation_id(request: HttpRequest, arguments, function: CustomFunction) -> str:
    """The call's conversation id: from the header ElevenLabs fills in, else from the body.

    A `conversation_id` argument the schema does not declare is taken out of the arguments.
    """
    from_header = request.headers.get(services.CONVERSATION_HEADER, "").strip()
    from_body = ""
    if isinstance(arguments, dict) and CONVERSATION_FIELD in arguments:
        declared = (function.parameters or {}).get("properties") or {}
        value = (
            arguments[CONVERSATION_FIELD]
            if CONVERSATION_FIELD in declared
            else arguments.pop(CONVERSATION_FIELD)
        )
        from_body = value.strip() if isinstance(value, str) else ""
    for candidate in (from_header, from_body):
        if CONVERSATION_ID_RE.match(candidate):
            return candidate
    return ""


@login_not_required
@csrf_exempt
@require_POST
def invoke(request: HttpRequest, function_id) -> JsonResponse:
    """Authenticate the tool call, run the function, answer with what the agent should read."""
    # With its agency: a built-in tool (search_listings) answers for it, in the same query.
    function = CustomFunction.objects.select_related("agency").filter(pk=function_id).first()
    if function is not None and is_undecryptable(function.invocation_token):
        # The token cannot be checked until staff save the function (which makes a new one).
        logger.error(
            "tool call for function %s: its invocation token cannot be decrypted with "
            "FIELD_ENCRYPTION_KEYS; save the function to issue a new one",
            function_id,
        )
        return _answer(agent_error("secrets"))
    presented = request.headers.get(services.TOKEN_HEADER, "")
    expected = function.invocation_token if function else _UNKNOWN_FUNCTION_TOKEN
    if not (hmac.compare_digest(presented.encode(), expected.encode()) and function and presented):
        logger.warning("tool call for function %s refused: bad or missing token", function_id)
        return _answer({"error": "Invalid or missing function token."}, status=401)

    try:
        arguments = load_json(request.body or b"{}")
    except JSONTooDeep:
        FunctionInvocation.objects.create(
            agency_id=function.agency_id,
            function=function,
            conversation_id=_conversation_id(request, None, function),
            status=FunctionInvocation.Status.ERROR,
            error=f"Arguments nested deeper than {MAX_JSON_DEPTH} levels: refused.",
        )
        return _answer(agent_error("too_deep"), status=400)
    except (ValueError, UnicodeDecodeError):
        arguments = None  # reported to the agent as arguments that are not a JSON object
    conversation_id = _conversation_id(request, arguments, function)

    if not function.enabled:
        FunctionInvocation.objects.create(
            agency_id=function.agency_id,
            function=function,
            conversation_id=conversation_id,
            status=FunctionInvocation.Status.ERROR,
            error="Called while disabled.",
        )
        return _answer(agent_error("disabled"))

    result = invoke_function(function, arguments=arguments, conversation_id=conversation_id)
    return _answer(result.payload, status=result.status_code)
