"""The search_listings tool over 5,000 listings, for `make bench`: ElevenLabs' tool calls
through Voqo's function proxy (token check, argument check, search, invocation log), timed
in process against the bare JSON view behind the same middleware."""

import random
import statistics
import time

from django.test import Client

from agencies.models import Agency
from agents.models import Agent
from functions.models import CustomFunction
from listings.models import Listing
from listings.tool import TOOL_NAME, set_search_tool

SUBURBS = [
    "Bondi",
    "Coogee",
    "Randwick",
    "Manly",
    "Mosman",
    "Newtown",
    "Paddington",
    "Balmain",
    "Chatswood",
    "Dee Why",
    "Glebe",
    "Marrickville",
    "Parramatta",
    "Ryde",
    "Cronulla",
    "Kellyville",
    "Penrith",
    "Hornsby",
    "Bronte",
    "Maroubra",
]
CATEGORIES = ["House", "Unit", "Apartment", "Townhouse", "Terrace", "Villa"]
STREETS = ["Ocean Street", "Pittwater Road", "King Street", "Station Road", "Park Avenue"]
STATUSES = ["current"] * 8 + ["under_offer", "sold", "leased", "withdrawn"]


def make_listings(agency: Agency, count: int, rng: random.Random, prefix: str = "B") -> None:
    rows = []
    for n in range(count):
        rental = rng.random() < 0.3
        suburb = rng.choice(SUBURBS)
        inspection = f"2030-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T1{rng.randint(0, 5)}:00:00"
        listing = Listing(
            agency=agency,
            agent_code="BENCH",
            unique_id=f"{prefix}-{n:05d}",
            kind="rental" if rental else "residential",
            status=rng.choice(STATUSES),
            street_address=f"{rng.randint(1, 200)} {rng.choice(STREETS)}",
            suburb=suburb,
            state="NSW",
            postcode="2000",
            category=rng.choice(CATEGORIES),
            headline=f"Bright home near {rng.choice(['the beach', 'the station', 'parks'])}",
            price=None if rental else rng.randrange(500_000, 4_000_000, 5_000),
            rent_per_week=rng.randrange(400, 2_000, 10) if rental else None,
            bedrooms=rng.randint(1, 5),
            bathrooms=rng.randint(1, 3),
            car_spaces=rng.randint(0, 2),
            inspections=[
                [inspection + "+10:00", inspection.replace(":00:00", ":30:00") + "+10:00"]
            ],
            mod_time=None,
        )
        listing.refresh_search_fields()
        rows.append(listing)
    Listing.objects.bulk_create(rows, batch_size=1_000)


def questions(rng: random.Random, count: int) -> list[dict]:
    """What callers ask: a suburb, often with a price cap, bedrooms or a type; sometimes text."""
    asked = []
    for _ in range(count):
        question: dict = {"suburb": rng.choice(SUBURBS)}
        if rng.random() < 0.5:
            question["max_price"] = rng.choice([900, 1_200_000, 2_000_000])
        if rng.random() < 0.5:
            question["bedrooms"] = rng.randint(1, 4)
        if rng.random() < 0.3:
            question["category"] = rng.choice(CATEGORIES)
        if rng.random() < 0.2:
            question = {"query": rng.choice(["ocean", "station road", "beach"])}
        asked.append(question)
    return asked


def _percentile(times: list[float], share: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def run_search(listings: int = 5_000, requests: int = 2_000) -> dict:
    """Time `requests` questions against the big agency's listings (made here when the
    benchmark data has none); the agent and tool made for it are deleted afterwards."""
    rng = random.Random(5)
    agency = Agency.objects.order_by("created_at").first()
    if not Listing.objects.filter(agency=agency).exists():
        make_listings(agency, listings, rng)
    agent = Agent.objects.create(agency=agency, name="Bench", system_prompt="Bench")
    try:
        return _timed_search(agent, agency, rng, requests)
    finally:
        agent.delete()


def _timed_search(agent, agency, rng, requests: int) -> dict:
    set_search_tool(agent=agent, enabled=True)
    tool = CustomFunction.objects.get(agent=agent, builtin=TOOL_NAME)
    client = Client()
    url = f"/functions/{tool.pk}/invoke"
    headers = {"X-Voqo-Function-Token": tool.invocation_token, "X-Conversation-Id": "conv_bench"}

    def timed(send, asked) -> list[float]:
        times = []
        for question in asked:
            started = time.perf_counter()
            response = send(question)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.content[:200]
        return times

    search = lambda question: client.post(  # noqa: E731
        url, question, content_type="application/json", headers=headers
    )
    bare = lambda question: client.post(  # noqa: E731
        "/bench/bare", question, content_type="application/json"
    )
    asked = questions(rng, requests)
    timed(search, asked[:100])  # warm up connections and caches
    voqo, baseline = timed(search, asked), timed(bare, asked)
    results = [len(search(question).json()["results"]) for question in asked[:200]]
    return {
        "p50": statistics.median(voqo),
        "p99": _percentile(voqo, 0.99),
        "baseline_p99": _percentile(baseline, 0.99),
        "requests": len(voqo),
        "listings": Listing.objects.filter(agency=agency).count(),
        "max_results": max(results),
        "empty_share": sum(1 for count in results if count == 0) / len(results),
    }
