from django.apps import AppConfig
from django.db.models.signals import post_save


class ContactsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "contacts"

    def ready(self) -> None:
        from contacts.events import announce_created_contact
        from contacts.models import Contact

        post_save.connect(
            announce_created_contact, sender=Contact, dispatch_uid="contacts.contact_created"
        )
