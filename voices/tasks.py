"""django-q2 entry points: thin, they call services."""

from datetime import datetime

from voices import services
from voqo.providers import ProviderError


def clone_for_caller(
    agency_id: str,
    phone: str,
    sample_id: str | None = None,
    rang_at: str | None = None,
    call_id: str | None = None,
) -> None:
    try:
        services.clone_for_caller(
            agency_id=agency_id,
            phone=phone,
            sample_id=sample_id,
            rang_at=datetime.fromisoformat(rang_at) if rang_at else None,
            call_id=call_id,
        )
    except ProviderError:
        pass  # logged, audited and recorded on the call; the caller's next call tries again


def expire_clones() -> int:
    return services.expire_clones()
