from django import template
from django.urls import reverse
from django.utils.http import urlencode

from contacts.profile import FACTS, form_initial, profile_rows
from outcomes.forms import OutcomeCorrectionForm, ProfileForm
from outcomes.models import LeadAlert, Outcome
from outcomes.selectors import job_outcome_counts

register = template.Library()

CALLBACK_REQUESTED = "callback_requested"


@register.filter
def outcome_label(key: str, labels: dict) -> str:
    """A disposition key as its label, from a {key: label} map the view built once."""
    return (labels or {}).get(key) or key.replace("_", " ").capitalize()


@register.filter
def detail_value(value) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return str(value)


def _schedule_link(outcome: Outcome | None, call) -> str:
    """The scheduling page filled in for the requested callback: who, when, which agent."""
    if outcome is None or outcome.outcome_type != CALLBACK_REQUESTED:
        return ""
    if call.contact_id:
        query = {"contact": str(call.contact_id)}
    elif call.external_phone:
        query = {"call": str(call.pk)}
    else:
        return ""
    if call.agent_id:
        query["agent"] = str(call.agent_id)
    if when := outcome.extracted_data.get("when"):
        query["at"] = when
    return f"{reverse('scheduling:new')}?{urlencode(query)}"


@register.inclusion_tag("outcomes/partials/_call_outcome.html", takes_context=True)
def call_outcome_panel(context, call):
    """The call's outcome, its correction form and its lead alerts (two queries)."""
    outcome = Outcome.objects.filter(call=call).first()
    alerts = list(LeadAlert.objects.filter(call=call).order_by("created_at"))
    request = context.get("request")
    membership = getattr(request, "membership", None)
    initial = {}
    if outcome is not None:
        initial = {
            "outcome_type": outcome.outcome_type,
            "details": "\n".join(
                f"{key}: {detail_value(value)}" for key, value in outcome.extracted_data.items()
            ),
        }
    form = OutcomeCorrectionForm(initial=initial, agency=call.agency)
    disposition = next(
        (d for d in form.dispositions if outcome and d.key == outcome.outcome_type), None
    )
    labels = {d["key"]: d.get("label") for d in disposition.details} if disposition else {}
    details = [
        (labels.get(key) or key.replace("_", " ").capitalize(), value)
        for key, value in (outcome.extracted_data.items() if outcome else [])
    ]
    return {
        "call": call,
        "outcome": outcome,
        "details": details,
        "alerts": alerts,
        "form": form,
        "dispositions": form.dispositions,
        "can_correct": membership is not None and membership.allows("staff"),
        "schedule_link": _schedule_link(outcome, call),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("outcomes/partials/_contact_profile.html", takes_context=True)
def contact_profile_panel(context, contact):
    """What calls taught about the contact, with where each fact came from, editable."""
    request = context.get("request")
    membership = getattr(request, "membership", None)
    return {
        "contact": contact,
        "rows": profile_rows(contact.profile),
        "facts": FACTS,
        "form": ProfileForm(initial=form_initial(contact.profile)),
        "can_edit": membership is not None and membership.allows("staff"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("outcomes/partials/_job_outcomes.html")
def job_outcome_summary(job):
    """The job's calls counted by outcome."""
    return {"rows": job_outcome_counts(job), "job": job}
