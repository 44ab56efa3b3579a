"""django-q2 entry points: thin, they call services."""

from voices import services


def clone_for_caller(agency_id: str, phone: str) -> None:
    services.clone_for_caller(agency_id=agency_id, phone=phone)


def expire_clones() -> int:
    return services.expire_clones()
