from django import template

from audit.kinds import kind_label as _kind_label

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return _kind_label(kind)
