"""Masking a function's secrets wherever an endpoint may echo them back.

An endpoint can answer with a secret in another encoding than the one we sent: inside a JSON
string (`"` and `\\` escaped, non-ASCII as \\u and four hex digits, `/` as `\\/` in PHP),
URL-encoded (a query string or a form body), HTML-escaped (an error page), or as the base64
credentials of a basic-auth header. Every such form is masked.
"""

from __future__ import annotations

import base64
import html
import json
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "••••"


def _json_escaped(text: str) -> set[str]:
    escaped = {json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1]}
    return escaped | {form.replace("/", "\\/") for form in escaped}


def secret_forms(secret: str) -> set[str]:
    """Every form in which `secret` may appear in an answer or a log."""
    if not secret:
        return set()
    encoded = secret.encode("utf-8")
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        html.escape(secret),
        html.escape(secret, quote=False),
        base64.b64encode(encoded).decode("ascii"),
        base64.urlsafe_b64encode(encoded).decode("ascii"),
    }
    for form in list(forms):
        forms |= _json_escaped(form)
    return forms


def basic_credentials(username: str, password: str) -> str:
    """The `user:password` text that a basic-auth header carries base64-encoded."""
    return f"{username}:{password}"


def mask_list(secrets: list[str]) -> tuple[str, ...]:
    """Every form of every secret, longest first so a secret containing another is masked whole."""
    forms: set[str] = set()
    for secret in secrets:
        forms |= secret_forms(secret)
    return tuple(sorted((form for form in forms if form), key=len, reverse=True))


def redact(text: str, masks: tuple[str, ...]) -> str:
    """`text` with every form of a secret replaced by the mask."""
    for form in masks:
        if form in text:
            text = text.replace(form, MASK)
    return text


def redact_document(document: Any, masks: tuple[str, ...]) -> Any:
    """`document` (parsed JSON, depth-limited) with every string, key or value, redacted."""
    if not masks:
        return document
    if isinstance(document, str):
        return redact(document, masks)
    if isinstance(document, list):
        return [redact_document(item, masks) for item in document]
    if isinstance(document, dict):
        return {
            redact(str(key), masks): redact_document(value, masks)
            for key, value in document.items()
        }
    if isinstance(document, int | float) and not isinstance(document, bool):
        text = str(document)
        redacted = redact(text, masks)
        return document if redacted == text else redacted
    return document
