from django.db import migrations

SEEDED_DEFAULTS = {
    "sms_template": (
        "Hi {caller_name}, thanks for calling! Here's a summary of our conversation: "
        "{call_summary}. Feel free to call back anytime. - {agent_name}"
    ),
    "sms_enabled": True,
    "sms_skip_silent": True,
    "auto_create_contacts": True,
    "save_memories": True,
}


def create_default_settings(apps, schema_editor):
    Setting = apps.get_model("voqo", "Setting")
    for key, value in SEEDED_DEFAULTS.items():
        Setting.objects.get_or_create(key=key, defaults={"value": value})


class Migration(migrations.Migration):
    dependencies = [("voqo", "0001_initial")]
    operations = [migrations.RunPython(create_default_settings, migrations.RunPython.noop)]
