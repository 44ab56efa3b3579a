from django import template

from voices.selectors import call_voice

register = template.Library()


@register.inclusion_tag("voices/partials/_call_voice.html")
def call_voice_panel(call):
    """The voice the call spoke with and the clone it set off, ready or failed."""
    return {"call": call, **call_voice(call)}
