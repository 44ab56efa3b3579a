"""Voqo's URLs plus a page that always fails, to see the 500 page."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from voqo.urls import urlpatterns as voqo_urlpatterns


@login_not_required
def broken_page(request):
    raise RuntimeError("a bug")


urlpatterns = [*voqo_urlpatterns, path("broken/", broken_page)]
