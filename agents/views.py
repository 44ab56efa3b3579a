from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from agents.models import Agent


def agent_list(request: HttpRequest) -> HttpResponse:
    return render(request, "agents/agent_list.html", {"agents": Agent.objects.all()})
