from django.apps import AppConfig


class KnowledgeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "knowledge"

    def ready(self) -> None:
        from knowledge.listings_document import on_stock_changed
        from listings.models import Listing
        from listings.signals import stock_changed

        stock_changed.connect(on_stock_changed, sender=Listing, dispatch_uid="knowledge.stock")
