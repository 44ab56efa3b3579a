"""What the outgoing webhooks tell the rest of Voqo, for apps that track their own events'
delivery without knowing how webhooks are stored."""

from django.dispatch import Signal

# Sent after every delivery attempt, once it is recorded.
# kwargs: agency_id, event_type, data (the event's data), endpoint_id, status_code (None when
# the endpoint never answered), delivered (True for a 2xx answer).
delivery_finished = Signal()
