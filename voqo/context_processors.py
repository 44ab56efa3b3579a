from django.conf import settings

NAV_ITEMS = (
    ("dashboard", "Dashboard", "dashboard"),
    ("agents", "Agents", "agents:list"),
    ("contacts", "Contacts", "contacts:list"),
    ("calls", "Calls", "calls:list"),
    ("campaigns", "Campaigns", "campaigns:list"),
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
    }
