from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from calls.models import Call


def call_list(request: HttpRequest) -> HttpResponse:
    calls = Call.objects.select_related("contact")[:50]
    return render(request, "calls/call_list.html", {"calls": calls})
