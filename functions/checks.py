"""System checks for custom functions' secrets at rest."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError


def check_undecryptable_secrets(app_configs=None, databases=None, **kwargs):
    """Warn about functions whose secrets no configured key decrypts (a key was removed).

    It reads the database, so like Django's own database checks it runs only when asked to:
    `manage.py check --database default`, and on every `migrate` (start-up).
    """
    if not databases:
        return []
    from functions.models import CustomFunction

    messages = []
    try:
        functions = list(CustomFunction.objects.select_related("agent").order_by("name"))
    except DatabaseError:
        return []  # not migrated yet: nothing stored to check
    for function in functions:
        unreadable = function.unreadable_secrets
        if unreadable:
            messages.append(
                checks.Warning(
                    f"Custom function “{function.name}” of agent “{function.agent.name}” "
                    f"(id {function.id}): its {' and '.join(unreadable)} cannot be decrypted "
                    "with any key in FIELD_ENCRYPTION_KEYS.",
                    hint=(
                        "Put the removed key back in FIELD_ENCRYPTION_KEYS (then run "
                        "rotate_secrets), or re-enter the secrets on the function page "
                        f"(/functions/{function.id}/edit/) and save. Until then its tool calls "
                        "answer that the tool is not available."
                    ),
                    obj=function,
                    id="voqo.W103",
                )
            )
    return messages
