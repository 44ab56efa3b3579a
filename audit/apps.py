from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from audit.services import record_entry, record_login
        from voqo.events import audit_event

        audit_event.connect(record_entry, dispatch_uid="audit.record_entry")
        user_logged_in.connect(record_login, dispatch_uid="audit.record_login")
