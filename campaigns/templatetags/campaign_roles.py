"""`{% if request.membership|allows:"manager" %}`: show only what the member's role can do."""

from django import template

register = template.Library()


@register.filter
def allows(membership, minimum: str) -> bool:
    """Does `membership` (None for no agency) have at least the `minimum` role?"""
    return membership is not None and membership.allows(minimum)
