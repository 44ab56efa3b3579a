from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.current import agency_not_required
from voqo import views
from voqo.middleware import staff_not_required

urlpatterns = [
    # Provider webhooks first: Django tries patterns in order, and the initiation webhook
    # answers while the caller hears ringing (resolving past every page cost it ~0.3 ms).
    path("webhooks/", include("calls.webhook_urls")),
    path("webhooks/", include("contacts.webhook_urls")),
    path("", views.dashboard, name="dashboard"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/sms-preview", views.settings_sms_preview, name="settings_sms_preview"),
    path("favicon.ico", views.favicon, name="favicon"),
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="registration/login.html"),
        name="login",
    ),
    # Anyone signed in may sign out: a user without staff rights must not be stuck.
    path(
        "logout/",
        agency_not_required(staff_not_required(auth_views.LogoutView.as_view())),
        name="logout",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("admin/", admin.site.urls),
    path("", include("agencies.urls")),
    path("agents/", include("agents.urls")),
    path("phone-numbers/", include("phone_numbers.urls")),
    path("contacts/", include("contacts.urls")),
    path("calls/", include("calls.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("functions/", include("functions.urls")),
    path("compliance/", include("compliance.urls")),
    path("listings/", include("listings.urls")),
    path("knowledge/", include("knowledge.urls")),
    path("voices/", include("voices.urls")),
    path("", include("onboarding.urls")),
    path("", include("outcomes.urls")),
    path("sandbox/", include("sandbox.urls")),
    path("scheduled-calls/", include("scheduling.urls")),
    path("messages/", include("messages.urls")),
    path("settings/api-keys/", include("api.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
    path("api/v1/", include("api.v1_urls")),
    path("audit/", include("audit.urls")),
    path("", include("retention.urls")),
    path("", include("monitoring.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
