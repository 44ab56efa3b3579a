"""Signals other apps listen to (campaigns updates its job call when a call is final)."""

from django.dispatch import Signal

# Sent as `call_finished.send(sender=Call, call=call)` once a call's outcome is final:
# the post-call transcription was processed, or the call failed to start.
call_finished = Signal()
