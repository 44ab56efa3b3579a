from django.urls import path

from compliance import views

app_name = "compliance"
urlpatterns = [
    path("", views.compliance_page, name="page"),
    path("export.csv", views.compliance_export, name="export"),
    path("washes/import/", views.wash_import, name="wash_import"),
    path("contacts/<uuid:contact_id>/consents/", views.contact_consents, name="contact_consents"),
    path(
        "contacts/<uuid:contact_id>/consents/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
]
