from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from campaigns.models import Campaign


def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(request, "campaigns/campaign_list.html", {"campaigns": Campaign.objects.all()})
