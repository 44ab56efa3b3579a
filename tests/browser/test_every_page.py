"""Every page, on a phone and on a laptop: no sideways scroll, no console errors, and no
critical or serious WCAG 2 A/AA violation found by axe-core.

The pages are found by walking the URL patterns, so a new page is audited without being
listed here; a new URL parameter needs a demo object below (the test says which).
"""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from agencies.models import Agency, Invitation, Membership
from agencies.people import invitation_token
from agents.models import Agent, SavedPrompt
from api.keys import create_api_key
from calls.models import Call, WebhookEvent
from campaigns.models import Campaign, JobCall
from campaigns.services import create_job
from contacts.imports import PENDING_IMPORTS
from contacts.models import Memory
from functions.models import CustomFunction, FunctionInvocation
from knowledge.models import KnowledgeDocument
from listings.models import Listing, ListingImport
from messages.models import SmsTemplate, Thread
from outcomes.models import Disposition, LeadAlertRule
from phone_numbers.models import PhoneNumber
from scheduling.models import ScheduledCall
from tests.conftest import STAFF_PASSWORD
from voices.models import CallerVoice, LibraryVoice
from webhooks.endpoints import create_endpoint
from webhooks.models import Delivery, DeliveryAttempt, Event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WIDTHS = ((390, 844), (1366, 768))  # a phone, a laptop
# Not pages of ours: Django's admin, provider-facing webhooks and tool calls, the API (key
# authenticated, tests/api/), audio, a fragment that needs a query.
SKIPPED_PREFIXES = ("/admin/", "/webhooks/", "/api/")
SKIPPED_NAMES = {
    "logout",
    "health",
    "metrics",  # text for a scraper, behind a token
    "functions:invoke",
    "calls:recording",
    "agents:template_fields",
    "password_reset_confirm",  # a one-time link from an e-mail (tests/agencies/test_people.py)
}
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}


def demo_objects() -> dict[str, str]:
    """The demo data plus what it lacks (a job, a function), keyed by URL parameter name."""
    call_command("load_demo_data", verbosity=0)
    # Everything in the install's first agency, the one the test browses as.
    agency = Agency.objects.order_by("created_at").first()
    agent = Agent.objects.filter(agency=agency).order_by("name").first()
    campaign = Campaign.objects.filter(agency=agency).first()
    upload = campaign.uploads.first()
    job = create_job(campaign=campaign, upload=upload, agent=agent)
    JobCall.objects.filter(pk=job.job_calls.first().pk).update(status="needs_review")
    function = CustomFunction.objects.create(
        agent=agent,
        name="check_property",
        description="Check whether a property is still available and its price.",
        endpoint="https://api.example.com/properties",
        parameters={"type": "object", "properties": {"address": {"type": "string"}}},
    )
    FunctionInvocation.objects.create(
        function=function, status="ok", http_status=200, latency_ms=120
    )
    memory = Memory.objects.filter(agency=agency).select_related("contact").first()
    parked_event = WebhookEvent.objects.create(
        event_type="post_call_transcription",
        conversation_id="conv_parked",
        payload={"type": "post_call_transcription", "data": {"conversation_id": "conv_parked"}},
        attempts=6,
        last_error="Start time is not a time.",
        failed_at=timezone.now(),
    )
    # The signed-in staff user's own membership (the first), and an open invitation.
    membership = Membership.objects.order_by("created_at").first()
    invitation = Invitation.objects.create(agency=membership.agency, email="new@example.com")
    import_token = PENDING_IMPORTS.store(iter([b"Name,Mobile\nJo Citizen,0412 345 678\n"]))
    api_key = create_api_key(agency=agency, name="CRM sync").api_key
    endpoint = create_endpoint(
        agency=agency, url="https://crm.example.com/hooks/voqo", event_types=["call.completed"]
    ).endpoint
    ping = Event.objects.create(agency=agency, event_type="test.ping", data={"message": "hi"})
    delivery = Delivery.objects.create(
        agency=agency, endpoint=endpoint, event=ping, attempts=1, last_status_code=500
    )
    DeliveryAttempt.objects.create(
        delivery=delivery,
        attempted_at=timezone.now(),
        request_headers={"Content-Type": "application/json"},
        request_body='{"id": "evt_demo"}',
        response_status=500,
        response_excerpt="Internal Server Error",
        duration_ms=85,
        error="The endpoint answered HTTP 500.",
    )
    listing = Listing.objects.filter(agency=agency, mentions__isnull=False).first()
    document = KnowledgeDocument.objects.filter(agency=agency).first()
    return {
        "agency_id": agency.pk,
        "agent_id": agent.pk,
        "contact_id": memory.contact_id,
        "memory_id": memory.pk,
        "call_id": Call.objects.filter(agency=agency).exclude(transcript=[]).first().pk,
        "campaign_id": campaign.pk,
        "upload_id": upload.pk,
        "job_id": job.pk,
        "job_call_id": job.job_calls.first().pk,
        "function_id": function.pk,
        "event_id": parked_event.pk,
        "token": import_token,
        "membership_id": membership.pk,
        "invitation_id": invitation.pk,
        "invitation_token": invitation_token(invitation),
        "number_id": PhoneNumber.objects.filter(agency=agency).first().pk,
        "prompt_id": SavedPrompt.objects.filter(agency=agency).first().pk,
        "version_id": agent.prompt_versions.first().pk,
        "voice_id": "sbx_voice_charlie",
        "scheduled_call_id": ScheduledCall.objects.filter(agency=agency).first().pk,
        "thread_id": Thread.objects.filter(agency=agency).order_by("-last_message_at")[0].pk,
        "template_id": SmsTemplate.objects.filter(agency=agency).first().pk,
        "key_id": api_key.pk,
        "endpoint_id": endpoint.pk,
        "delivery_id": delivery.pk,
        "listing_id": listing.pk,
        "import_id": ListingImport.objects.filter(agency=agency).first().pk,
        "document_id": document.pk,
        "library_voice_id": LibraryVoice.objects.filter(agency=agency).first().pk,
        "mapping_id": CallerVoice.objects.filter(agency=agency).first().pk,
        "disposition_id": Disposition.objects.filter(agency=agency).first().pk,
        "rule_id": LeadAlertRule.objects.create(
            agency=agency,
            name="Hot leads",
            outcomes=["appraisal_booked"],
            recipient="on_call",
            phone="+61499888777",
        ).pk,
    }


def walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry.pattern.converters.keys()


def page_urls(client: Client, objects: dict) -> list[str]:
    """Every named GET route that answers a full HTML page, with demo objects filled in."""
    urls, problems = [], []
    for name, params in walk(get_resolver().url_patterns):
        missing = [param for param in params if param not in objects]
        if name in SKIPPED_NAMES or name.startswith("admin:"):
            continue
        if missing:
            problems.append(f"{name}: no demo object for {missing} (add one to demo_objects)")
            continue
        url = reverse(name, kwargs={param: objects[param] for param in params})
        if url.startswith(SKIPPED_PREFIXES):
            continue
        response = client.get(url)
        if response.status_code in (302, 405):  # a redirect or an action, not a page
            continue
        if response.status_code != 200:
            problems.append(f"{url}: answered {response.status_code}")
        elif response["Content-Type"].startswith("text/html") and response.content.lstrip()[
            :15
        ].lower().startswith(b"<!doctype html"):
            urls.append(url)
    assert not problems, "\n".join(problems)
    return urls


def audit(page, url: str, console_errors: list[str], *, axe_widths=(1366,)) -> list[str]:
    """What is wrong with one page at each width; axe runs at `axe_widths` only (a page's
    colours are the same at every width, and axe takes most of this test's time)."""
    problems = []
    for width, height in WIDTHS:
        console_errors.clear()
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(url)
        page.wait_for_load_state("load")
        where = f"{url} at {width}px"
        if response.status >= 400 and "no-such-page" not in url:
            problems.append(f"{where}: HTTP {response.status}")
        overflow = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if overflow[0] > overflow[1]:
            problems.append(f"{where}: scrolls sideways ({overflow[0]} > {overflow[1]} px)")
        problems += [
            f"{where}: list markers overlap the items of a flex/grid list {name}"
            for name in page.evaluate(MARKERS_IN_LAID_OUT_LISTS)
        ]
        if response.status == 404:  # Chromium logs the page's own 404 as a console error
            console_errors[:] = [e for e in console_errors if "status of 404" not in e]
        problems += [f"{where}: console error: {error}" for error in console_errors]
        if width in axe_widths:
            problems += [f"{where}: {violation}" for violation in axe_violations(page)]
    return problems


# Pico gives every `ul > li` a marker; a list laid out as a row or grid draws each marker over
# the item before it unless the list's items drop their markers.
MARKERS_IN_LAID_OUT_LISTS = """() => [...document.querySelectorAll('ul, ol')]
    .filter(list => ['flex', 'grid'].includes(getComputedStyle(list).display))
    .filter(list => [...list.children].some(item =>
        item.tagName === 'LI' && getComputedStyle(item).listStyleType !== 'none'))
    .map(list => list.tagName.toLowerCase() + (list.className ? '.' + list.className : ''))"""


def axe_violations(page) -> list[str]:
    """The critical and serious WCAG 2 A/AA violations axe-core finds on the page as it is."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return [
        f"axe {violation['id']} ({violation['impact']}, {len(violation['nodes'])} nodes) e.g. "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
        for violation in results["violations"]
        if violation["impact"] in ("critical", "serious")
    ]


def test_every_page_fits_a_phone_and_a_laptop_and_passes_axe(page, live_server, staff_user):
    objects = demo_objects()
    # The demo data lives in the install's first agency: browse it as that agency's owner.
    demo_agency = Agent.objects.get(pk=objects["agent_id"]).agency
    Membership.objects.filter(user=staff_user).delete()
    owner = Membership.objects.create(
        user=staff_user, agency=demo_agency, role=Membership.Role.OWNER
    )
    objects["membership_id"] = owner.pk
    client = Client()
    client.force_login(staff_user)
    urls = page_urls(client, objects)
    assert len(urls) > 20, urls

    console_errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    page.on("pageerror", lambda error: console_errors.append(str(error)))

    problems = audit(page, f"{live_server.url}/login/", console_errors, axe_widths=(390, 1366))
    page.get_by_label("Username").fill(staff_user.username)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    # The phone layout once, with its menu open: the rest of its colours are the laptop's.
    problems += audit(page, f"{live_server.url}/", console_errors, axe_widths=(390,))
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Menu").click()
    problems += [f"/ at 390px, menu open: {violation}" for violation in axe_violations(page)]
    for url in [*urls, "/no-such-page/"]:
        problems += audit(page, f"{live_server.url}{url}", console_errors)
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)
