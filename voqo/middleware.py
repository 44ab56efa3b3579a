from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


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
