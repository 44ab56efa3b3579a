from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from contacts.models import Contact


def contact_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(Contact.objects.all(), 50).get_page(request.GET.get("page"))
    return render(request, "contacts/contact_list.html", {"page": page})
