from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ListingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "listings"

    def ready(self) -> None:
        from functions import builtins
        from listings.queue import ensure_feed_schedule
        from listings.tool import TOOL_NAME

        builtins.register(TOOL_NAME, "listings.tool.answer_search")
        post_migrate.connect(ensure_feed_schedule, sender=self)
