"""The header rows of the function form: plain or secret, with a warning for credentials."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import zip_longest

from django import forms

# Set by Voqo itself; a configured value would break the request or smuggle another one.
RESERVED_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-type"}
HEADER_NAME_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]+$")
# A header name that usually carries a credential, and a value that looks like a key.
CREDENTIAL_NAME_RE = re.compile(
    r"auth|token|secret|passw|api[-_]?key|(^|[-_])key$|cookie|session|signature|credential",
    re.IGNORECASE,
)
CREDENTIAL_VALUE_RE = re.compile(r"^(bearer|basic|token|digest)\s+\S{6,}$", re.IGNORECASE)
KEY_LIKE_RE = re.compile(r"^[A-Za-z0-9_\-.=+/:~]{20,}$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)


def looks_like_credential(name: str, value: str) -> bool:
    """Whether a plain header probably carries a secret (its name, or a key-like value)."""
    if CREDENTIAL_NAME_RE.search(name) or CREDENTIAL_VALUE_RE.match(value):
        return True
    if not KEY_LIKE_RE.match(value) or UUID_RE.match(value):
        return False
    kinds = sum(
        [
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
            any(not c.isalnum() for c in value),
        ]
    )
    return kinds >= 3 and any(c.isdigit() for c in value)


@dataclass
class HeaderRow:
    """One header row of the form. A secret's value is never rendered back."""

    name: str
    value: str
    secret: bool = False
    stored: bool = False  # a secret with a stored value: blank keeps it
    warning: str = ""


class HeaderRowsWidget(forms.Widget):
    """Repeated name/value/type inputs (`<name>_name`, `_value`, `_type`); rendered by the page."""

    def value_from_datadict(self, data, files, name):
        getlist = getattr(data, "getlist", lambda key: data.get(key, []))
        names, values = getlist(f"{name}_name"), getlist(f"{name}_value")
        kinds = getlist(f"{name}_type")
        return [
            HeaderRow(name=(n or "").strip(), value=(v or "").strip(), secret=(k == "secret"))
            for n, v, k in zip_longest(names, values, kinds, fillvalue="")
        ]

    def value_omitted_from_data(self, data, files, name):
        return False


class HeaderRowsField(forms.Field):
    """The header rows, checked one by one; secret rows may be blank (keep the stored value)."""

    widget = HeaderRowsWidget

    def to_python(self, value) -> list[HeaderRow]:
        rows: list[HeaderRow] = []
        errors = []
        seen: set[str] = set()
        for row in value or []:
            if not row.name and not row.value:
                continue
            if not HEADER_NAME_RE.match(row.name):
                errors.append(f"“{row.name}” is not a valid header name.")
            elif row.name.lower() in RESERVED_HEADERS:
                errors.append(f"{row.name} is set by Voqo and cannot be configured.")
            elif any(ch in row.value for ch in "\r\n\x00"):
                errors.append(f"The value of {row.name} contains a line break.")
            elif row.name.lower() in seen:
                errors.append(f"{row.name} is listed twice.")
            else:
                seen.add(row.name.lower())
                rows.append(row)
        if errors:
            raise forms.ValidationError(errors)
        return rows


def credential_warning(name: str) -> str:
    return (
        f"{name} looks like a credential: make it a secret header, so it is stored encrypted, "
        "never shown again and masked if the endpoint echoes it."
    )
