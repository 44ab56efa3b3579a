"""Running a custom function: the one code path of the tool proxy and the Test button.

ElevenLabs hides a webhook tool's HTTP errors from the agent, so every failure the agent can
act on (endpoint down or slow, bad arguments, an answer without the mapped outputs) is an
HTTP 200 whose body says what happened and what to do: `{"error": …, "hint": …}`.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.db import transaction
from jsonschema import validators

from functions import builtins, egress
from functions.jsonlimits import MAX_JSON_DEPTH, JSONTooDeep, json_depth, load_json
from functions.mapping import apply_mapping, cap_result
from functions.masking import basic_credentials, mask_list, redact, redact_document
from functions.models import CustomFunction, FunctionInvocation
from voqo.crypto import is_undecryptable

logger = logging.getLogger(__name__)

USER_AGENT = "Voqo-Functions/1.0"
MAX_VIOLATIONS = 10
MAX_DISPLAYED_BODY_CHARS = 4_000
# Endpoint answers that mean "not these details": worth checking with the caller.
REJECTED_STATUSES = {400, 404, 409, 422}

FOLLOW_UP = "Tell the caller you'll check and get back to them; don't try again in this call."
# What the agent reads when something goes wrong: short, speakable, no internals.
AGENT_ERRORS: dict[str, tuple[str, str]] = {
    "timeout": ("The property system didn't answer in time.", FOLLOW_UP),
    "refused": ("The property system isn't available right now.", FOLLOW_UP),
    "connection": ("The property system couldn't be reached right now.", FOLLOW_UP),
    "too_large": ("The property system's answer was too large to use.", FOLLOW_UP),
    "redirects": ("The property system isn't available right now.", FOLLOW_UP),
    "upstream": ("The property system couldn't answer that request.", FOLLOW_UP),
    "rejected": (
        "The property system couldn't find or accept those details.",
        "Check the details with the caller (spelling, numbers, dates), then try again once.",
    ),
    "mapping": ("The property system's answer didn't include the expected details.", FOLLOW_UP),
    "arguments": (
        "Some details were missing or invalid: {violations}.",
        "Ask the caller for the missing or corrected details, then try again.",
    ),
    "disabled": ("This tool is switched off.", FOLLOW_UP),
    "secrets": ("This tool isn't set up correctly right now.", FOLLOW_UP),
    "too_deep": (
        f"The arguments nest deeper than {MAX_JSON_DEPTH} levels.",
        "Send the arguments as a flat JSON object.",
    ),
}


def agent_error(kind: str, **details: str) -> dict[str, str]:
    """The body the agent reads for a failure of `kind`: what happened and what to do."""
    error, hint = AGENT_ERRORS[kind]
    return {"error": error.format(**details), "hint": hint}


@dataclass
class InvocationResult:
    """What running a function produced: the proxy's answer and what staff see on Test."""

    status_code: int  # the proxy's HTTP status
    payload: dict[str, Any]  # the proxy's JSON answer, what the agent reads
    invocation: FunctionInvocation
    request: egress.OutgoingRequest | None = None
    response: egress.RawResponse | None = None
    mapped: Any = None
    missing_outputs: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    masks: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.invocation.status == FunctionInvocation.Status.OK

    @property
    def error(self) -> str:
        return self.invocation.error

    def displayed_response_body(self) -> str:
        """The endpoint's answer for staff: truncated, with any echoed secret masked."""
        if self.response is None:
            return ""
        # Masked before truncating, so a secret cut in half at the edge is masked too.
        text = redact(self.response.body.decode("utf-8", errors="replace"), self.masks)
        if len(text) > MAX_DISPLAYED_BODY_CHARS:
            text = text[:MAX_DISPLAYED_BODY_CHARS] + "\n… (truncated)"
        return text

    def displayed_request_url(self) -> str:
        return redact(self.request.url, self.masks) if self.request else ""

    def displayed_request_body(self) -> str:
        if self.request is None or self.request.body is None:
            return ""
        return redact(self.request.body.decode("utf-8", errors="replace"), self.masks)

    def payload_json(self) -> str:
        return redact(json.dumps(self.payload, indent=2, ensure_ascii=False), self.masks)


def function_secrets(function: CustomFunction) -> list[str]:
    """Every readable secret of `function`, as sent (masking adds the other encodings)."""
    values: list[str] = []
    config = function.auth_config
    if isinstance(config, dict):
        values += [config.get("api_key", ""), config.get("token", ""), config.get("password", "")]
        if config.get("password"):
            values.append(basic_credentials(config.get("username", ""), config["password"]))
    if isinstance(function.secret_headers, dict):
        values += [str(value) for value in function.secret_headers.values()]
    if not is_undecryptable(function.invocation_token):
        values.append(function.invocation_token)
    return [value for value in values if value]


def schema_violations(schema: dict[str, Any], arguments: Any) -> list[str]:
    """Readable reasons why `arguments` does not match the JSON Schema (empty when it does)."""
    schema = schema or {"type": "object"}
    validator = validators.validator_for(schema)(schema)
    violations = []
    for error in sorted(validator.iter_errors(arguments), key=lambda e: list(e.path)):
        where = ".".join(str(part) for part in error.path)
        violations.append(f"{where}: {error.message}" if where else error.message)
        if len(violations) == MAX_VIOLATIONS:
            break
    return violations


def _query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def build_request(function: CustomFunction, arguments: dict[str, Any]) -> egress.OutgoingRequest:
    """The request `function` sends for `arguments`, with its headers and auth applied.

    GET and DELETE carry the arguments as query parameters, the other methods as a JSON body.
    The function's secrets must be readable (see `CustomFunction.unreadable_secrets`).
    """
    headers: dict[str, str] = {"Accept": "application/json", "User-Agent": USER_AGENT}
    headers.update({str(k): str(v) for k, v in (function.headers or {}).items()})
    headers.update({str(k): str(v) for k, v in (function.secret_headers or {}).items()})
    secret_headers: set[str] = {str(name) for name in function.secret_headers or {}}
    config = function.auth_config or {}
    if function.auth_type == CustomFunction.AuthType.API_KEY:
        header_name = config.get("header_name") or "X-API-Key"
        headers[header_name] = config.get("api_key", "")
        secret_headers.add(header_name)
    elif function.auth_type == CustomFunction.AuthType.BEARER:
        headers["Authorization"] = f"Bearer {config.get('token', '')}"
        secret_headers.add("Authorization")
    elif function.auth_type == CustomFunction.AuthType.BASIC:
        credentials = basic_credentials(config.get("username", ""), config.get("password", ""))
        headers["Authorization"] = "Basic " + _b64(credentials)
        secret_headers.add("Authorization")

    url, body = function.endpoint, None
    if function.method in (CustomFunction.Method.GET, CustomFunction.Method.DELETE):
        pairs = []
        for name, value in arguments.items():
            if value is None:
                continue
            if isinstance(value, list):
                pairs.extend((name, _query_value(item)) for item in value)
            else:
                pairs.append((name, _query_value(value)))
        if pairs:
            parts = urlsplit(url)
            query = "&".join(filter(None, [parts.query, urlencode(pairs)]))
            url = urlunsplit(parts._replace(query=query))
    else:
        body = json.dumps(arguments, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    return egress.OutgoingRequest(
        method=function.method,
        url=url,
        headers=headers,
        body=body,
        timeout=function.endpoint_deadline,
        secret_headers=frozenset(secret_headers),
    )


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@dataclass
class _AgentAnswer:
    result: Any
    missing: list[str]
    problem: str = ""  # staff-facing: why the answer could not be used


def _agent_answer(response: egress.RawResponse, function: CustomFunction) -> _AgentAnswer:
    """What the agent reads from a successful answer: the mapped outputs, or the answer itself."""
    try:
        document, is_json = (load_json(response.body) if response.body else None), True
    except JSONTooDeep:
        return _AgentAnswer(None, [], f"The answer nests deeper than {MAX_JSON_DEPTH} levels.")
    except ValueError:
        document, is_json = None, False
    mapping = function.response_mapping
    if mapping:
        if not is_json:
            return _AgentAnswer(
                None,
                list(mapping),
                "The answer is not JSON, so the response mapping found nothing.",
            )
        outputs, missing = apply_mapping(document, mapping)
        if len(missing) == len(mapping):
            return _AgentAnswer(
                None, missing, "None of the mapped outputs is in the answer: " + ", ".join(missing)
            )
        return _AgentAnswer(outputs, missing)
    if is_json:
        return _AgentAnswer(document if isinstance(document, dict) else {"result": document}, [])
    return _AgentAnswer({"result": response.body.decode("utf-8", errors="replace")}, [])


def invoke_function(
    function: CustomFunction,
    *,
    arguments: Any,
    conversation_id: str = "",
    source: str = FunctionInvocation.Source.AGENT,
) -> InvocationResult:
    """Run `function` with `arguments`: validate, call the endpoint, map the answer, log it.

    Never raises for a failed call: the result carries the agent's answer and the invocation
    row (written in every case) records what happened, in staff's words and without secrets.
    """
    started = time.monotonic()
    masks = mask_list(function_secrets(function))
    log = FunctionInvocation(
        agency_id=function.agency_id,
        function=function,
        conversation_id=conversation_id[:128],
        source=source,
        status=FunctionInvocation.Status.ERROR,
    )

    def finish(status_code: int, payload: dict, **details) -> InvocationResult:
        log.latency_ms = int((time.monotonic() - started) * 1000)
        log.error = redact(log.error, masks)
        log.save()
        logger.info(
            "function %s (%s) invoked by %s: %s, endpoint HTTP %s, %d ms",
            function.id,
            function.name,
            source,
            log.status,
            log.http_status,
            log.latency_ms,
        )
        return InvocationResult(
            status_code=status_code, payload=payload, invocation=log, masks=masks, **details
        )

    unreadable = [label for label in function.unreadable_secrets if label != "invocation token"]
    if unreadable:
        log.error = (
            f"Its {' and '.join(unreadable)} could not be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed?): re-enter them on the function page."
        )
        return finish(200, agent_error("secrets"))

    if json_depth(arguments) > MAX_JSON_DEPTH:
        log.error = f"Arguments nested deeper than {MAX_JSON_DEPTH} levels: refused."
        return finish(400, agent_error("too_deep"))
    violations = (
        ["The arguments must be a JSON object."]
        if not isinstance(arguments, dict)
        else schema_violations(function.parameters, arguments)
    )
    if violations:
        log.error = "Arguments did not match the parameters schema: " + "; ".join(violations)
        payload = {
            **agent_error("arguments", violations="; ".join(violations)),
            "violations": violations,
        }
        return finish(200, payload, violations=violations)

    if function.builtin:
        # Answered by Voqo itself: no endpoint, no egress. One transaction for what the
        # handler records and the log: one commit while the caller waits.
        with transaction.atomic():
            answer = builtins.handler_for(function.builtin)(
                function=function, arguments=arguments, conversation_id=conversation_id
            )
            log.status = FunctionInvocation.Status.OK
            return finish(200, answer, mapped=answer)

    request = build_request(function, arguments)
    try:
        response = egress.send_request(request)
    except egress.EgressError as exc:
        log.error = str(exc)
        return finish(200, agent_error(exc.kind), request=request)

    log.http_status = response.status
    if not 200 <= response.status < 300:
        log.error = f"The endpoint answered HTTP {response.status}."
        kind = "rejected" if response.status in REJECTED_STATUSES else "upstream"
        return finish(200, agent_error(kind), request=request, response=response)

    answer = _agent_answer(response, function)
    if answer.problem:
        log.error = answer.problem
        kind = "mapping" if function.response_mapping else "upstream"
        return finish(
            200,
            agent_error(kind),
            request=request,
            response=response,
            missing_outputs=answer.missing,
        )
    mapped = cap_result(redact_document(answer.result, masks))
    log.status = FunctionInvocation.Status.OK
    if answer.missing:
        log.error = "Not found in the answer: " + ", ".join(answer.missing)
    return finish(
        200,
        mapped,
        request=request,
        response=response,
        mapped=mapped,
        missing_outputs=answer.missing,
    )
