"""The fixed set of dynamic variables every Voqo agent may use.

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
