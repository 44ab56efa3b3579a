"""The seeded SMS template said "thanks for calling" after outbound calls too and greeted
with the full name: an install still on that seed gets the new default; an edited template
is left alone."""

from django.db import migrations

OLD_DEFAULT = (
    "Hi {caller_name}, thanks for calling! Here's a summary of our conversation: "
    "{call_summary}. Feel free to call back anytime. - {agent_name}"
)
NEW_DEFAULT = (
    "Hi {first_name}, thanks for talking with us today. Here's a summary of our "
    "conversation: {call_summary}. Feel free to call us back anytime. - {agent_name}"
)


def use_new_default(apps, schema_editor):
    Setting = apps.get_model("voqo", "Setting")
    for setting in Setting.objects.filter(key="sms_template"):
        if setting.value == OLD_DEFAULT:
            setting.value = NEW_DEFAULT
            setting.save(update_fields=["value"])


def use_old_default(apps, schema_editor):
    Setting = apps.get_model("voqo", "Setting")
    for setting in Setting.objects.filter(key="sms_template"):
        if setting.value == NEW_DEFAULT:
            setting.value = OLD_DEFAULT
            setting.save(update_fields=["value"])


class Migration(migrations.Migration):
    dependencies = [("voqo", "0004_sandbox_models_move_to_the_sandbox_app")]

    operations = [migrations.RunPython(use_new_default, use_old_default)]
