"""The post-call SMS text: template variables, rendering, segment counting, truncation.

Pure functions, no database: the settings page preview and the sender share them.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

SMS_VARIABLES = (
    "first_name",
    "caller_name",
    "caller_phone",
    "call_summary",
    "agent_name",
    "call_duration",
    "call_date",
)
# Longest message we send: three concatenated segments.
MAX_SEGMENTS = 3

# GSM 03.38 basic character set, and the extension table (each costs two septets).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")


def first_name(name: str) -> str:
    """The name to greet someone by: 'Priya Sharma' → 'Priya'; 'there' when unknown."""
    words = (name or "").split()
    return words[0] if words else "there"


class SmsTemplateError(ValueError):
    """The template cannot be rendered: unknown variables or unbalanced braces."""


@dataclass(frozen=True)
class SegmentCount:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int  # capacity of each segment at this length


def count_segments(text: str) -> SegmentCount:
    """How Twilio will split `text`: 160/153 GSM-7 septets or 70/67 UCS-2 units."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        units = len(text) + sum(1 for ch in text if ch in GSM7_EXTENSION)
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        # Characters outside the BMP (emoji) take two UTF-16 code units.
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "UCS-2"
    if units <= single:
        return SegmentCount(encoding, len(text), units, 1 if units else 0, single)
    return SegmentCount(encoding, len(text), units, math.ceil(units / multi), multi)


def template_errors(template: str) -> list[str]:
    """Why `template` cannot be used; an empty list when it is fine."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:
        return [
            "The template has an unbalanced brace: write variables as {caller_name}, "
            "and a literal brace as {{ or }}."
        ]
    unknown: list[str] = []
    errors: list[str] = []
    for _literal, name, format_spec, conversion in fields:
        if name is None:
            continue
        if name == "":
            errors.append("Empty braces {} are not a variable; name one, e.g. {caller_name}.")
        elif name not in SMS_VARIABLES:
            if name not in unknown:
                unknown.append(name)
        elif format_spec or conversion:
            errors.append(f"Write {{{name}}} without a format or conversion.")
    if unknown:
        names = ", ".join("{" + name + "}" for name in unknown)
        known = ", ".join("{" + name + "}" for name in SMS_VARIABLES)
        noun = "variable" if len(unknown) == 1 else "variables"
        errors.insert(0, f"Unknown {noun} {names}. Available: {known}.")
    return errors


def render_sms(template: str, variables: dict[str, str]) -> str:
    """The template with every variable filled in. Raises SmsTemplateError."""
    errors = template_errors(template)
    if errors:
        raise SmsTemplateError(" ".join(errors))
    return template.format_map({name: variables.get(name, "") for name in SMS_VARIABLES})


def render_sms_within_limit(
    template: str, variables: dict[str, str], *, max_segments: int = MAX_SEGMENTS
) -> str:
    """Render, shortening only the call summary (with an ellipsis) to fit `max_segments`.

    The rest of the template — greeting and sign-off — is never cut. The ellipsis is "..."
    when the message is otherwise GSM-7: "…" is not in GSM-7 and would switch the whole
    message to UCS-2, more than halving what fits.
    """
    text = render_sms(template, variables)
    if count_segments(text).segments <= max_segments:
        return text
    summary = variables.get("call_summary", "")

    def with_summary(length: int) -> str:
        shortened = summary[:length]
        if length < len(summary) and " " in shortened.strip():
            shortened = shortened[: shortened.rstrip().rfind(" ")]  # cut between words
        shortened = shortened.rstrip(" ,;:.")
        probe = render_sms(template, {**variables, "call_summary": shortened})
        ellipsis = "…" if count_segments(probe).encoding == "UCS-2" else "..."
        return render_sms(template, {**variables, "call_summary": shortened + ellipsis})

    low, high = 0, len(summary)
    best = with_summary(0)
    while low <= high:  # the longest summary prefix that fits
        middle = (low + high) // 2
        candidate = with_summary(middle)
        if count_segments(candidate).segments <= max_segments:
            best, low = candidate, middle + 1
        else:
            high = middle - 1
    return best
