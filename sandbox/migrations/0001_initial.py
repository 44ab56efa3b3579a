import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the sandbox tables the voqo app created (no database change)."""

    initial = True

    dependencies = [
        ("voqo", "0003_sandbox_conversations"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SandboxMessage",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("sid", models.CharField(max_length=64, unique=True)),
                        ("to_phone", models.CharField(max_length=20)),
                        ("from_phone", models.CharField(max_length=20)),
                        ("body", models.TextField()),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                    ],
                    options={"db_table": "sandbox_messages", "ordering": ["-created_at"]},
                ),
                migrations.CreateModel(
                    name="SandboxConversation",
                    fields=[
                        (
                            "id",
                            models.UUIDField(
                                default=uuid.uuid4,
                                editable=False,
                                primary_key=True,
                                serialize=False,
                            ),
                        ),
                        ("conversation_id", models.CharField(max_length=64, unique=True)),
                        ("agent_id", models.CharField(max_length=128)),
                        (
                            "direction",
                            models.CharField(
                                choices=[("inbound", "Inbound"), ("outbound", "Outbound")],
                                max_length=16,
                            ),
                        ),
                        ("external_number", models.CharField(max_length=20)),
                        ("call_sid", models.CharField(blank=True, default="", max_length=64)),
                        ("dynamic_variables", models.JSONField(blank=True, default=dict)),
                        ("first_message", models.TextField(blank=True, default="")),
                        ("payload", models.JSONField(blank=True, null=True)),
                        (
                            "delivery_status",
                            models.PositiveSmallIntegerField(blank=True, null=True),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={"db_table": "sandbox_conversations", "ordering": ["-created_at"]},
                ),
            ],
            database_operations=[],
        ),
    ]
