from django.db import migrations

import voqo.fields


class PayloadAsText(migrations.AlterField):
    """jsonb → text casts on its own; back to jsonb, PostgreSQL needs the cast spelled out."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                'ALTER TABLE "webhook_events" ALTER COLUMN "payload" TYPE jsonb '
                'USING "payload"::jsonb'
            )
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("calls", "0013_index_calls_of_deleted_agents"),
    ]

    operations = [
        PayloadAsText(
            model_name="webhookevent",
            name="payload",
            field=voqo.fields.JSONTextField(),
        ),
    ]
