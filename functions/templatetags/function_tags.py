from django import template

from functions.models import FunctionInvocation

register = template.Library()

MAX_CALL_INVOCATIONS = 50


@register.inclusion_tag("functions/partials/_call_invocations.html")
def call_invocations(call):
    """The custom-function invocations made during `call` (one query, however many)."""
    conversation_id = getattr(call, "elevenlabs_conversation_id", "") or ""
    invocations = []
    if conversation_id:
        invocations = list(
            FunctionInvocation.objects.filter(conversation_id=conversation_id)
            .select_related("function")
            .order_by("created_at")[:MAX_CALL_INVOCATIONS]
        )
    return {"invocations": invocations, "call": call}
