from django.core.management.base import BaseCommand, CommandError

from agents.services import sync_all_agents


class Command(BaseCommand):
    help = "Sync every agent to ElevenLabs (create or PATCH); exits non-zero when any sync fails."

    def handle(self, *args, **options):
        results = sync_all_agents()
        for agent, synced in results:
            if synced:
                self.stdout.write(f"synced  {agent.name} ({agent.elevenlabs_agent_id})")
            else:
                self.stdout.write(f"FAILED  {agent.name}: {agent.sync_error}")
        failed = sum(1 for _, synced in results if not synced)
        if failed:
            raise CommandError(f"{failed} of {len(results)} agents failed to sync.")
        self.stdout.write(f"{len(results)} agents synced.")
