from django.apps import AppConfig
from django.db.models.signals import post_migrate


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"

    def ready(self) -> None:
        from knowledge.listings_document import on_stock_changed
        from knowledge.queue import ensure_refresh_schedule
        from listings.models import Listing
        from listings.signals import stock_changed

        stock_changed.connect(on_stock_changed, sender=Listing, dispatch_uid="knowledge.stock")
        post_migrate.connect(ensure_refresh_schedule, sender=self)
