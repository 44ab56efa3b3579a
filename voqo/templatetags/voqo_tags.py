from django import template

from voqo.phones import format_phone

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show an E.164 number the way Australians write it."""
    return format_phone(value) if value else ""


@register.filter
def duration(seconds) -> str:
    """145 → '2m 25s'."""
    if seconds in (None, ""):
        return "—"
    seconds = int(seconds)
    minutes, secs = divmod(seconds, 60)
    return f"{minutes}m {secs}s" if minutes else f"{secs}s"
