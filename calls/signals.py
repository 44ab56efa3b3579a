"""Signals other apps listen to (campaigns updates its job call when a call is final;
outcomes reads the analysis of a recorded call)."""

from django.dispatch import Signal

# Sent as `call_finished.send(sender=Call, call=call)` once a call's outcome is final:
# the post-call transcription was processed, or the call failed to start.
call_finished = Signal()

# Sent as `post_call_recorded.send(sender=Call, call=call, event=event)` inside the
# transaction that records a post-call transcription (every delivery of it, redeliveries
# included): a receiver that raises rolls the recording back, and the event is retried.
post_call_recorded = Signal()
