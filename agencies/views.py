from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agencies import people, provider_accounts
from agencies.current import (
    agency_object_or_404,
    read_only_allowed,
    remember_agency,
    role_required,
)
from agencies.forms import InviteForm, ProviderAccountForm, RoleForm, SwitchAgencyForm
from agencies.models import Agency, Invitation, Membership, ProviderAccount, Role
from voqo.crypto import is_undecryptable


@require_GET
@role_required("owner")
def people_page(request: HttpRequest) -> HttpResponse:
    """The agency's members with their roles, open invitations, and the invite form."""
    return render(request, "agencies/people.html", _people_context(request, InviteForm()))


def _people_context(request: HttpRequest, invite_form: InviteForm) -> dict:
    agency = request.agency
    return {
        "memberships": agency.memberships.select_related("user").order_by("user__username"),
        "invitations": agency.invitations.filter(accepted_at__isnull=True).select_related(
            "invited_by"
        ),
        "invite_form": invite_form,
        "roles": Role.choices,
    }


@require_POST
@role_required("owner")
def invite(request: HttpRequest) -> HttpResponse:
    """E-mail a one-time link that lets someone join the agency with the chosen role."""
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation = people.invite_member(
                agency=request.agency,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request,
                f"Invitation sent to {invitation.email}; the link works once, for "
                f"{people.INVITATION_MAX_AGE.days} days.",
            )
            return redirect("agencies:people")
    messages.error(request, "Invitation not sent: correct the errors below.")
    return render(request, "agencies/people.html", _people_context(request, form), status=400)


@require_POST
@role_required("owner")
def withdraw_invitation(request: HttpRequest, invitation_id) -> HttpResponse:
    invitation = agency_object_or_404(Invitation, request, pk=invitation_id, accepted_at=None)
    people.withdraw_invitation(invitation=invitation, actor=request.user)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return redirect("agencies:people")


@require_POST
@role_required("owner")
def change_role(request: HttpRequest, membership_id) -> HttpResponse:
    membership = agency_object_or_404(
        Membership.objects.select_related("user"), request, pk=membership_id
    )
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a role: owner, manager, staff or read-only.")
        return redirect("agencies:people")
    try:
        membership = people.change_role(
            membership=membership, role=form.cleaned_data["role"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{membership.user.get_username()} is now {membership.get_role_display().lower()}.",
        )
    return redirect("agencies:people")


@require_http_methods(["GET", "POST"])
@role_required("owner")
def remove_member(request: HttpRequest, membership_id) -> HttpResponse:
    """Confirm, then take a member out of the agency (their login stays)."""
    membership = agency_object_or_404(
        Membership.objects.select_related("user"), request, pk=membership_id
    )
    if request.method == "POST":
        try:
            people.remove_member(membership=membership, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"{membership.user.get_username()} no longer has access to {request.agency.name}.",
            )
        return redirect("agencies:people")
    return render(request, "agencies/member_confirm_remove.html", {"membership": membership})


@require_POST
@read_only_allowed
def switch_agency(request: HttpRequest) -> HttpResponse:
    """Make another of the user's agencies the current one (remembered in the session)."""
    form = SwitchAgencyForm(request.POST)
    agency = None
    if form.is_valid():
        wanted = form.cleaned_data["agency"]
        if request.user.memberships.filter(agency_id=wanted).exists() or (
            request.user.is_superuser
        ):
            agency = Agency.objects.filter(pk=wanted).first()
    if agency is None:
        raise PermissionDenied("You are not a member of that agency.")
    remember_agency(request, agency)
    messages.success(request, f"Now working in {agency.name}.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = reverse("dashboard")
    # The page left behind may show the other agency's object: start from its list or home.
    return redirect(back)


@login_not_required
@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, invitation_token: str) -> HttpResponse:
    """The invitation link: join with the signed-in login, or create one."""
    try:
        invitation = people.open_invitation(invitation_token)
    except people.InvitationUnusable as error:
        return render(
            request, "agencies/invitation_unusable.html", {"reason": str(error)}, status=410
        )
    signed_in = request.user.is_authenticated
    form = None if signed_in else UserCreationForm(request.POST or None)
    if request.method == "POST":
        try:
            if signed_in:
                people.accept_invitation(invitation=invitation, user=request.user)
            elif form.is_valid():
                user = people.accept_invitation_as_new_user(
                    invitation=invitation,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password1"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                return _invitation_page(request, invitation, form, status=400)
        except people.InvitationUnusable as error:
            return render(
                request, "agencies/invitation_unusable.html", {"reason": str(error)}, status=410
            )
        remember_agency(request, invitation.agency)
        messages.success(request, f"Welcome to {invitation.agency.name}.")
        return redirect("dashboard")
    return _invitation_page(request, invitation, form)


def _invitation_page(request, invitation, form, status=200) -> HttpResponse:
    context = {"invitation": invitation, "form": form}
    return render(request, "agencies/accept_invitation.html", context, status=status)


PLAIN_ACCOUNT_FIELDS = ("elevenlabs_phone_number_id", "twilio_account_sid", "twilio_phone_number")


@require_http_methods(["GET", "POST"])
@role_required("owner")
def provider_accounts_page(request: HttpRequest) -> HttpResponse:
    """The agency's own ElevenLabs workspace and Twilio account, the URLs and headers to
    paste, and a connection test for each."""
    account = ProviderAccount.objects.filter(agency=request.agency).first()
    if request.method == "POST":
        form = ProviderAccountForm(request.POST)
        if form.is_valid():
            values = {name: form.cleaned_data[name] for name in form.fields if name != "remove"}
            try:
                provider_accounts.save_provider_accounts(
                    agency=request.agency,
                    values=values,
                    cleared=tuple(form.cleaned_data["remove"]),
                    actor=request.user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, "Provider accounts saved. Test each connection below.")
                return redirect("agencies:provider_accounts")
        messages.error(request, "Not saved: correct the errors below.")
        return render(
            request,
            "agencies/provider_accounts.html",
            _accounts_context(request, account, form),
            status=400,
        )
    initial = {name: getattr(account, name) for name in PLAIN_ACCOUNT_FIELDS} if account else {}
    form = ProviderAccountForm(initial=initial)
    return render(
        request, "agencies/provider_accounts.html", _accounts_context(request, account, form)
    )


@require_POST
@role_required("owner")
def test_provider_account(request: HttpRequest) -> HttpResponse:
    """Ask ElevenLabs or Twilio, with the agency's accounts, whether they work."""
    service = request.POST.get("service", "")
    if service not in provider_accounts.SERVICES:
        messages.error(request, "Choose which connection to test: ElevenLabs or Twilio.")
        return redirect("agencies:provider_accounts")
    check = provider_accounts.test_connection(agency=request.agency, service=service)
    if request.htmx:
        response = render(request, "agencies/partials/_connection_check.html", {"check": check})
    else:
        account = ProviderAccount.objects.filter(agency=request.agency).first()
        initial = {name: getattr(account, name) for name in PLAIN_ACCOUNT_FIELDS} if account else {}
        context = _accounts_context(request, account, ProviderAccountForm(initial=initial))
        response = render(
            request, "agencies/provider_accounts.html", {**context, f"{service}_check": check}
        )
    patch_vary_headers(response, ("HX-Request",))
    return response


def _accounts_context(request, account, form) -> dict:
    def state(name: str) -> str:
        value = getattr(account, name, "") if account else ""
        if is_undecryptable(value):
            return "lost"
        return "stored" if value else "install"

    return {
        "form": form,
        "account": account,
        "secret_states": {name: state(name) for name in ProviderAccount.SECRET_FIELDS},
        "urls": provider_accounts.webhook_urls(request.agency),
    }
