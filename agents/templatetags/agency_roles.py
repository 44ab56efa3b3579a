"""`{% if request|may:"manager" %}`: show a control only to members whose role allows it."""

from django import template

register = template.Library()


@register.filter
def may(request, minimum: str) -> bool:
    """Does the request's membership allow what needs at least the `minimum` role?"""
    membership = getattr(request, "membership", None)
    return membership is not None and membership.allows(minimum)
