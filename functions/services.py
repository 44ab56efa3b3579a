"""What the functions domain does: run a custom function safely, and keep its ElevenLabs tool
in step with it."""

from __future__ import annotations

import base64
import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from jsonschema import validators

from functions import egress
from functions.mapping import apply_mapping, cap_result
from functions.models import CustomFunction, FunctionInvocation
from voqo.providers import ProviderError, ProviderNotFound, ToolSpec, get_provider

logger = logging.getLogger(__name__)

TOKEN_HEADER = "X-Voqo-Function-Token"
USER_AGENT = "Voqo-Functions/1.0"
MAX_VIOLATIONS = 10
MAX_DISPLAYED_BODY_CHARS = 4_000

# What the agent hears when something goes wrong: short, speakable, no internals.
AGENT_MESSAGES = {
    "timeout": "The property system didn't answer in time. Tell the caller you'll follow up.",
    "refused": "The property system isn't available right now. Tell the caller you'll follow up.",
    "connection": (
        "The property system couldn't be reached right now. Tell the caller you'll follow up."
    ),
    "too_large": (
        "The property system's answer was too large to use. Tell the caller you'll follow up."
    ),
    "redirects": (
        "The property system isn't available right now. Tell the caller you'll follow up."
    ),
    "upstream": (
        "The property system couldn't answer that request. Tell the caller you'll follow up."
    ),
    "arguments": (
        "Some details were missing or invalid: {violations}. Ask the caller and try again."
    ),
    "disabled": "This tool is switched off. Tell the caller you'll follow up.",
}


# -- running a function ------------------------------------------------------------


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
    secrets: tuple[str, ...] = ()

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
        text = self.response.body.decode("utf-8", errors="replace")
        if len(text) > MAX_DISPLAYED_BODY_CHARS:
            text = text[:MAX_DISPLAYED_BODY_CHARS] + "\n… (truncated)"
        return redact(text, self.secrets)

    def displayed_request_url(self) -> str:
        return redact(self.request.url, self.secrets) if self.request else ""

    def displayed_request_body(self) -> str:
        if self.request is None or self.request.body is None:
            return ""
        return redact(self.request.body.decode("utf-8", errors="replace"), self.secrets)

    def payload_json(self) -> str:
        return redact(json.dumps(self.payload, indent=2, ensure_ascii=False), self.secrets)


def redact(text: str, secrets: tuple[str, ...]) -> str:
    """`text` with every occurrence of a secret replaced by a mask."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "••••")
    return text


def _redact_document(document: Any, secrets: tuple[str, ...]) -> Any:
    """`document` with secrets an endpoint echoed back masked, so they never reach the agent."""
    text = json.dumps(document, ensure_ascii=False)
    redacted = redact(text, secrets)
    if redacted == text:
        return document
    try:
        return json.loads(redacted)
    except ValueError:
        return {"result": redacted}


def function_secrets(function: CustomFunction) -> tuple[str, ...]:
    """Every secret string of `function`, in the forms it may appear on the wire."""
    config = function.auth_config or {}
    values = [config.get("api_key", ""), config.get("token", ""), config.get("password", "")]
    if config.get("password"):
        credentials = f"{config.get('username', '')}:{config['password']}".encode()
        values.append(base64.b64encode(credentials).decode("ascii"))
    values.append(function.invocation_token)
    # Longest first, so a secret that contains another is masked whole.
    return tuple(sorted({value for value in values if value}, key=len, reverse=True))


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
    """
    headers: dict[str, str] = {"Accept": "application/json", "User-Agent": USER_AGENT}
    headers.update({str(k): str(v) for k, v in (function.headers or {}).items()})
    secret_headers: set[str] = set()
    config = function.auth_config or {}
    if function.auth_type == CustomFunction.AuthType.API_KEY:
        header_name = config.get("header_name") or "X-API-Key"
        headers[header_name] = config.get("api_key", "")
        secret_headers.add(header_name)
    elif function.auth_type == CustomFunction.AuthType.BEARER:
        headers["Authorization"] = f"Bearer {config.get('token', '')}"
        secret_headers.add("Authorization")
    elif function.auth_type == CustomFunction.AuthType.BASIC:
        credentials = f"{config.get('username', '')}:{config.get('password', '')}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(credentials).decode("ascii")
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


def _agent_result(response: egress.RawResponse, function: CustomFunction) -> tuple[Any, list[str]]:
    """What the agent reads from a successful answer: the mapped outputs, or the answer itself."""
    try:
        document = json.loads(response.body) if response.body else None
        is_json = True
    except ValueError:
        document, is_json = None, False
    if function.response_mapping:
        if not is_json:
            return {name: None for name in function.response_mapping}, list(
                function.response_mapping
            )
        return apply_mapping(document, function.response_mapping)
    if is_json:
        return (document if isinstance(document, dict) else {"result": document}), []
    return {"result": response.body.decode("utf-8", errors="replace")}, []


def invoke_function(
    function: CustomFunction,
    *,
    arguments: Any,
    conversation_id: str = "",
    source: str = FunctionInvocation.Source.AGENT,
) -> InvocationResult:
    """Run `function` with `arguments`: validate, call the endpoint, map the answer, log it.

    The one code path of the proxy and the Test button. Never raises for a failed call: the
    result carries the agent-friendly answer and the invocation row records what happened.
    """
    started = time.monotonic()
    secrets = function_secrets(function)
    log = FunctionInvocation(
        function=function, conversation_id=conversation_id[:128], source=source
    )

    def finish(status_code: int, payload: dict, **details) -> InvocationResult:
        log.latency_ms = int((time.monotonic() - started) * 1000)
        log.error = redact(log.error, secrets)
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
            status_code=status_code, payload=payload, invocation=log, secrets=secrets, **details
        )

    violations = (
        ["The arguments must be a JSON object."]
        if not isinstance(arguments, dict)
        else schema_violations(function.parameters, arguments)
    )
    if violations:
        log.status = FunctionInvocation.Status.ERROR
        log.error = "Arguments did not match the parameters schema: " + "; ".join(violations)
        message = AGENT_MESSAGES["arguments"].format(violations="; ".join(violations))
        return finish(400, {"error": message, "violations": violations}, violations=violations)

    request = build_request(function, arguments)
    try:
        response = egress.send_request(request)
    except egress.EgressError as exc:
        log.status = FunctionInvocation.Status.ERROR
        log.error = str(exc)
        # 200: the agent reads the body as the tool's result and can tell the caller.
        return finish(200, {"error": AGENT_MESSAGES[exc.kind]}, request=request)

    log.http_status = response.status
    if not 200 <= response.status < 300:
        log.status = FunctionInvocation.Status.ERROR
        log.error = f"The endpoint answered HTTP {response.status}."
        return finish(
            200, {"error": AGENT_MESSAGES["upstream"]}, request=request, response=response
        )

    mapped, missing = _agent_result(response, function)
    mapped = cap_result(_redact_document(mapped, secrets))
    log.status = FunctionInvocation.Status.OK
    if missing:
        log.error = "Not found in the answer: " + ", ".join(missing)
    return finish(
        200, mapped, request=request, response=response, mapped=mapped, missing_outputs=missing
    )


# -- keeping ElevenLabs in step ---------------------------------------------------------


def invoke_url(function: CustomFunction) -> str:
    """The public URL of the proxy that ElevenLabs calls for `function`."""
    path = reverse("functions:invoke", kwargs={"function_id": function.id})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def tool_spec(function: CustomFunction) -> ToolSpec:
    """The ElevenLabs webhook tool for `function`: it calls our proxy, never the endpoint."""
    schema = dict(function.parameters or {"type": "object", "properties": {}})
    schema.setdefault("properties", {})
    schema.setdefault("description", f"Arguments for {function.name}: {function.description}")
    return ToolSpec(
        name=function.name,
        description=function.description,
        url=invoke_url(function),
        method="POST",
        request_headers={TOKEN_HEADER: function.invocation_token},
        body_schema=schema,
        response_timeout_secs=int(function.timeout),
    )


def sync_function(function: CustomFunction) -> list[str]:
    """Create, update or delete the function's ElevenLabs tool, then re-sync its agent.

    An enabled function has a tool; a disabled one has none. Local changes are always kept;
    returns the provider's messages for staff (empty when everything synced).
    """
    from agents.services import sync_agent

    problems: list[str] = []
    provider = get_provider()
    if function.enabled:
        spec = tool_spec(function)
        try:
            if function.elevenlabs_tool_id:
                try:
                    provider.update_tool(function.elevenlabs_tool_id, spec)
                except ProviderNotFound:
                    # Deleted at ElevenLabs by hand: make it again.
                    function.elevenlabs_tool_id = provider.create_tool(spec)
            else:
                function.elevenlabs_tool_id = provider.create_tool(spec)
            function.save(update_fields=["elevenlabs_tool_id"])
        except ProviderError as exc:
            logger.warning("tool sync of function %s failed: %r", function.id, exc)
            problems.append(f"ElevenLabs did not accept the tool: {exc.message}")
        if not sync_agent(function.agent):
            problems.append(f"The agent could not be synced: {function.agent.sync_error}")
        return problems

    # Disabled: detach it from the agent first, then delete the tool itself.
    if not sync_agent(function.agent):
        problems.append(f"The agent could not be synced: {function.agent.sync_error}")
    if function.elevenlabs_tool_id:
        try:
            provider.delete_tool(function.elevenlabs_tool_id)
            function.elevenlabs_tool_id = ""
            function.save(update_fields=["elevenlabs_tool_id"])
        except ProviderError as exc:
            logger.warning("tool delete of function %s failed: %r", function.id, exc)
            problems.append(f"ElevenLabs could not delete the tool: {exc.message}")
    return problems


def set_function_enabled(function: CustomFunction, enabled: bool) -> list[str]:
    """Turn the function on or off and sync it; returns the provider's messages, if any."""
    function.enabled = enabled
    function.save(update_fields=["enabled", "updated_at"])
    return sync_function(function)


def delete_function(function: CustomFunction) -> list[str]:
    """Delete the function here, detach it from its agent and delete its ElevenLabs tool."""
    from agents.services import sync_agent

    agent, tool_id = function.agent, function.elevenlabs_tool_id
    function.delete()
    problems: list[str] = []
    if not sync_agent(agent):
        problems.append(f"The agent could not be synced: {agent.sync_error}")
    if tool_id:
        try:
            get_provider().delete_tool(tool_id)
        except ProviderError as exc:
            logger.warning("tool delete %s failed: %r", tool_id, exc)
            problems.append(
                f"ElevenLabs could not delete the tool {tool_id}: {exc.message}. "
                "Remove it by hand in the ElevenLabs dashboard."
            )
    return problems
