from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render


def staff_not_required(view):
    """Let any signed-in user reach `view` (log out), not only staff."""
    view.staff_required = False
    return view


class StaffRequiredMiddleware:
    """Staff only: LoginRequiredMiddleware lets any user in, Voqo wants agency staff.

    Views marked `@login_not_required` (login, health, webhooks) are left alone, and so are
    views marked `@staff_not_required` for signed-in users.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True):
            return None
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user.is_staff and getattr(view_func, "staff_required", True):
            raise PermissionDenied("Voqo is for agency staff.")
        return None


class FriendlyNotFoundMiddleware:
    """With DEBUG on (`make run`), answer a 404 with Voqo's own page instead of Django's
    technical one, which a newcomer takes for a crash; the page still shows what a developer
    needs (the path, the view and its message) and links to Django's page, which lists the
    URL patterns, at the same address plus `?technical404`. Without DEBUG, Django's own
    handler renders the same templates/404.html.

    It sits above CommonMiddleware, so a missing trailing slash still redirects first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # No resolver match: no URL pattern matched, and Django answered its technical 404.
        if (
            response.status_code == 404
            and getattr(request, "resolver_match", None) is None
            and self._applies(request)
        ):
            return self._not_found(request, exception=None)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, Http404) and self._applies(request):
            return self._not_found(request, exception=exception)
        return None

    @staticmethod
    def _applies(request) -> bool:
        return settings.DEBUG and "technical404" not in request.GET

    @staticmethod
    def _not_found(request, *, exception):
        match = getattr(request, "resolver_match", None)
        query = request.GET.copy()
        query["technical404"] = "1"
        context = {
            "request_path": request.path,
            "development": {
                "view": match.view_name if match else "",
                "message": str(exception) if exception else "",
                "technical_url": f"{request.path}?{query.urlencode()}",
            },
        }
        return render(request, "404.html", context, status=404)
