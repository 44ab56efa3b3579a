from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Compliance"

    def ready(self) -> None:
        from compliance import privacy
        from retention.forgetting import access_export_sections, contact_forgetting

        contact_forgetting.connect(privacy.on_contact_forgetting, dispatch_uid="compliance.forget")
        access_export_sections.connect(privacy.export_sections, dispatch_uid="compliance.export")
