from django.apps import AppConfig


class MessagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "messages"
    # "messages" is django.contrib.messages' label.
    label = "sms_threads"
    verbose_name = "SMS conversations"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from calls.models import SmsMessage
        from messages.privacy import on_contact_forgetting
        from messages.threads import on_message_saved
        from retention.forgetting import contact_forgetting

        post_save.connect(on_message_saved, sender=SmsMessage, dispatch_uid="messages.threads")
        contact_forgetting.connect(on_contact_forgetting, dispatch_uid="messages.forget")
