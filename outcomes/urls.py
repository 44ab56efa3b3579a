from django.urls import path

from outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("outcomes/", views.disposition_list, name="dispositions"),
    path("outcomes/new/", views.disposition_form, name="disposition_create"),
    path("outcomes/<uuid:disposition_id>/", views.disposition_form, name="disposition_edit"),
    path(
        "outcomes/<uuid:disposition_id>/delete/",
        views.disposition_delete,
        name="disposition_delete",
    ),
    path("outcomes/calls/<uuid:call_id>/correct/", views.outcome_correct, name="correct"),
    path("outcomes/contacts/<uuid:contact_id>/profile/", views.profile_edit, name="profile_edit"),
    path("analytics/", views.analytics, name="analytics"),
    path("calls/export.csv", views.calls_export, name="calls_export"),
    path("lead-alerts/", views.alert_rules, name="alert_rules"),
    path("lead-alerts/me/", views.my_alerts, name="my_alerts"),
    path("lead-alerts/new/", views.alert_rule_form, name="alert_rule_create"),
    path("lead-alerts/<uuid:rule_id>/", views.alert_rule_form, name="alert_rule_edit"),
    path("lead-alerts/<uuid:rule_id>/delete/", views.alert_rule_delete, name="alert_rule_delete"),
]
