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


def navigation(request):
    match = getattr(request, "resolver_match", None)
    namespace = (match.namespace if match else "") or (match.url_name if match else "")
    return {
        "nav_items": NAV_ITEMS,
        "nav_active": namespace,
        "provider_mode": settings.VOQO_PROVIDER,
        # What the member's role allows, for hiding what they cannot do:
        # {% if role_allows.manager %}…{% endif %} (the views check the role again).
        "role_allows": {role: can(request, role) for role in Role.values},
    }
