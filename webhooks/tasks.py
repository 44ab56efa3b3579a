"""django-q2 entry points: thin, they call webhooks.sending."""

from webhooks import sending


def deliver_webhook(delivery_id: str) -> None:
    sending.attempt_delivery(delivery_id)


def deliver_due_webhooks() -> int:
    return sending.deliver_due()
