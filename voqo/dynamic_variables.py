"""The fixed set of dynamic variables every Voqo agent may use.

ElevenLabs fails a call when a variable used in the prompt or first message is neither
supplied at call start nor given a placeholder, so agents are synced with a placeholder for
each of these and every call start (inbound initiation, outbound call) supplies all of them.
"""

CALLER_VARIABLE_PLACEHOLDERS: dict[str, str] = {
    "caller_name": "there",
    "caller_phone": "",
    "agency_name": "",
    "agent_name": "",
    "current_date": "",
    "current_time": "",
    "caller_context": "",
}
