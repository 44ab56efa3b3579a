from django import template

from functions.models import FunctionInvocation

register = template.Library()

MAX_CALL_INVOCATIONS = 50


@register.inclusion_tag("functions/partials/_call_invocations.html", takes_context=True)
def call_invocations(context, call):
    """The custom-function invocations made during `call` (one query, however many), of the
    request's agency only."""
    conversation_id = getattr(call, "elevenlabs_conversation_id", "") or ""
    agency = getattr(context.get("request"), "agency", None)
    invocations = []
    if conversation_id and agency is not None:
        invocations = list(
            FunctionInvocation.objects.filter(agency=agency, conversation_id=conversation_id)
            .select_related("function")
            .order_by("created_at")[:MAX_CALL_INVOCATIONS]
        )
    return {"invocations": invocations, "call": call}
