from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agents.models import Agent
from voqo.phones import InvalidPhoneNumber, normalize_phone


class Command(BaseCommand):
    help = "Sandbox only: simulate an inbound call to an agent; it is recorded via the webhook."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_phone", required=True, help="Caller's number")
        parser.add_argument("--agent", required=True, help="Agent name (or id)")

    def handle(self, *args, from_phone: str, agent: str, **options):
        from sandbox.provider import simulate_inbound_call

        if settings.VOQO_PROVIDER != "sandbox":
            raise CommandError("Simulated calls exist only with VOQO_PROVIDER=sandbox.")
        try:
            number = normalize_phone(from_phone)
        except InvalidPhoneNumber as error:
            raise CommandError(" ".join(error.messages)) from error
        found = Agent.objects.filter(name__iexact=agent)
        if not found.exists():
            found = Agent.objects.filter(pk=agent) if _is_uuid(agent) else found
        target = found.first()
        if target is None:
            raise CommandError(f"No agent named {agent!r}.")
        if not target.elevenlabs_agent_id:
            raise CommandError(f"{target.name} is not synced yet; run sync_agents first.")
        conversation_id = simulate_inbound_call(
            agent_id=target.elevenlabs_agent_id, from_number=number
        )
        self.stdout.write(
            f"{number} is calling {target.name} (conversation {conversation_id}); "
            "the django-q worker ends the call and POSTs the post-call webhook."
        )


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True
