from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@login_not_required
@csrf_exempt
def bare(request):
    """The baseline: a Django JSON view that does no work, behind the same middleware."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare", bare), path("", include("voqo.urls"))]
