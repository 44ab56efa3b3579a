"""The dynamic variables a Voqo agent may use: the fixed caller set, and campaign variables.

ElevenLabs fails a call when a variable used in the prompt or first message is neither
supplied at call start nor given a placeholder, so agents are synced with a placeholder for
each of these and every call start (inbound initiation, outbound call) supplies all of them.
"""

import re
from typing import Any

CALLER_VARIABLE_PLACEHOLDERS: dict[str, str] = {
    "caller_name": "there",
    "caller_phone": "",
    "agency_name": "",
    "agent_name": "",
    "current_date": "",
    "current_time": "",
    "caller_context": "",
}


_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")


def fill_variables(text: str, variables: dict[str, Any]) -> str:
    """Replace `{{name}}` with its value, as ElevenLabs does; unknown names stay as written
    (e.g. `{{system__time}}`, which ElevenLabs fills itself)."""
    return _VARIABLE.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


# Campaign variables: every other `{{name}}` in a prompt or greeting is a column of the
# campaign upload the job dials (`Upload.variable_keys`). Calls without an upload row
# (inbound, Call now) get the empty placeholder, so ElevenLabs never fails the call.
CAMPAIGN_VARIABLE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")
# Prefixes of Voqo's own variables (and ElevenLabs' system__ ones): a campaign variable
# never starts with them, so a typo such as {{caller_first_name}} is caught in the editor.
RESERVED_PREFIXES = ("caller_", "agent_", "agency_", "current_", "system_")
# Upload columns never take these keys: they are the row's phone and name, or the caller set.
RESERVED_VARIABLE_KEYS = frozenset({"phone", "phone_number", "name", *CALLER_VARIABLE_PLACEHOLDERS})

_BRACED = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def variable_key(header: str) -> str:
    """A CSV header as a campaign variable name: `First Name` → `first_name`."""
    key = re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")[:60]
    if key and key[0].isdigit():
        key = f"v_{key}"
    return key


def variables_in(*texts: str) -> list[str]:
    """Every name written as {{name}} in `texts`, once each, in order of appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for name in _BRACED.findall(text or ""):
            found.setdefault(name, None)
    return list(found)


def is_campaign_variable(name: str) -> bool:
    return (
        name not in CALLER_VARIABLE_PLACEHOLDERS
        and bool(CAMPAIGN_VARIABLE_NAME.match(name))
        and not name.startswith(RESERVED_PREFIXES)
    )


def campaign_variables_in(*texts: str) -> list[str]:
    """The campaign variables (upload columns) that `texts` use, in order of appearance."""
    return [name for name in variables_in(*texts) if is_campaign_variable(name)]
