from django.urls import path

from agencies import views

app_name = "agencies"
urlpatterns = [
    path("people/", views.people_page, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path(
        "people/invitations/<uuid:invitation_id>/withdraw/",
        views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("people/<uuid:membership_id>/role/", views.change_role, name="change_role"),
    path("people/<uuid:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("agency/provider-accounts/", views.provider_accounts_page, name="provider_accounts"),
    path(
        "agency/provider-accounts/test/",
        views.test_provider_account,
        name="test_provider_account",
    ),
    path("agencies/switch/", views.switch_agency, name="switch"),
    path("invitations/<str:invitation_token>/", views.accept_invitation, name="accept_invitation"),
]
