from django.db import migrations


class Migration(migrations.Migration):
    """The sandbox models now belong to the sandbox app; their tables stay as they are."""

    dependencies = [
        ("voqo", "0003_sandbox_conversations"),
        ("sandbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SandboxConversation"),
                migrations.DeleteModel(name="SandboxMessage"),
            ],
            database_operations=[],
        ),
    ]
