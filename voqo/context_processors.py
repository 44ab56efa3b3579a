from django.conf import settings

from agencies.current import can
from agencies.models import Role

NAV_ITEMS = (
    ("dashboard", "Dashboard", "dashboard"),
    ("agents", "Agents", "agents:list"),
    ("phone_numbers", "Phone numbers", "phone_numbers:list"),
    ("contacts", "Contacts", "contacts:list"),
    ("calls", "Calls", "calls:list"),
    ("scheduling", "Call schedule", "scheduling:list"),
    ("messages", "Messages", "messages:list"),
    ("outcomes", "Outcomes", "outcomes:analytics"),
    ("campaigns", "Campaigns", "campaigns:list"),
    ("listings", "Listings", "listings:list"),
    ("knowledge", "Knowledge", "knowledge:list"),
    ("voices", "Voices", "voices:library"),
    ("compliance", "Compliance", "compliance:page"),
    ("onboarding", "Connections", "onboarding:connections"),
    ("settings", "Settings", "settings"),
)

# The sidebar's groups under small headings, by item key; an item not named here (a new app's)
# shows in the first group. The owner and manager pages follow the last group's items.
NAV_GROUPS = (
    ("Work", ("dashboard", "calls", "scheduling", "messages", "contacts", "campaigns", "outcomes")),
    ("Agents", ("agents", "phone_numbers", "knowledge", "listings")),
    ("Agency", ("compliance", "onboarding", "settings")),
)


def nav_groups() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """NAV_ITEMS under their headings, in NAV_ITEMS order within each group."""
    group_of = {key: heading for heading, keys in NAV_GROUPS for key in keys}
    first = NAV_GROUPS[0][0]
    grouped: dict[str, list] = {heading: [] for heading, _keys in NAV_GROUPS}
    for item in NAV_ITEMS:
        grouped[group_of.get(item[0], first)].append(item)
    return [(heading, items) for heading, items in grouped.items() if items]


def navigation(request):
    match = getattr(request, "resolver_match", None)
    namespace = (match.namespace if match else "") or (match.url_name if match else "")
    return {
        "nav_items": NAV_ITEMS,
        "nav_groups": nav_groups(),
        "nav_active": namespace,
        "provider_mode": settings.VOQO_PROVIDER,
        # What the member's role allows, for hiding what they cannot do:
        # {% if role_allows.manager %}…{% endif %} (the views check the role again).
        "role_allows": {role: can(request, role) for role in Role.values},
    }
