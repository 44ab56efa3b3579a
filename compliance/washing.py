"""Washing numbers against the Do Not Call Register: the file to upload, the answers back.

The washing service is reached through `voqo.providers.dncr` (files by default). Each answer
replaces the number's previous one, with the time of the check (`dncr_checked_at`), which
the dial rules (compliance.rules) hold against the 30-day validity.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO

from django.db import transaction
from django.utils import timezone

from compliance.models import WashResult
from contacts.csv_import import CsvRejected, sniff_encoding
from voqo.events import record_audit
from voqo.providers.dncr import WashAnswer, WashFileError, get_dncr_client

# A result file of a large list is a few MB; anything bigger is not one.
MAX_RESULT_BYTES = 20 * 1024 * 1024


class WashRefused(ValueError):
    """A result file or wash Voqo cannot use, with the message to show."""


@dataclass(frozen=True)
class WashReport:
    numbers: int
    registered: int


def numbers_to_wash_file(phones: Iterable[str]) -> str:
    """The register's upload file for `phones` (one national-format number per line)."""
    return get_dncr_client().upload_file(phones)


def read_result_file(fileobj: IO[bytes], *, size: int) -> list[WashAnswer]:
    """The answers in an uploaded result file; raises WashRefused saying what is wrong."""
    if size > MAX_RESULT_BYTES:
        raise WashRefused("The file is larger than 20 MB, so it is not a register result file.")
    try:
        encoding = sniff_encoding(fileobj)
    except CsvRejected as rejected:
        raise WashRefused(str(rejected)) from None
    text = fileobj.read().decode(encoding)
    try:
        return get_dncr_client().read_results(text)
    except WashFileError as error:
        raise WashRefused(str(error)) from None


def record_wash(
    *,
    agency,
    answers: list[WashAnswer],
    checked_at: datetime,
    source: str,
    actor=None,
) -> WashReport:
    """Store the register's answers as `agency`'s latest wash of each number."""
    if checked_at > timezone.now():
        raise WashRefused("The wash date is in the future: give the day the register answered.")
    latest = {answer.phone: answer for answer in answers}  # a later line wins
    with transaction.atomic():
        existing = {
            wash.phone: wash
            for wash in WashResult.objects.filter(agency=agency, phone__in=list(latest))
        }
        changed, created = [], []
        for phone, answer in latest.items():
            wash = existing.get(phone)
            if wash is None:
                created.append(
                    WashResult(
                        agency=agency,
                        phone=phone,
                        registered=answer.registered,
                        dncr_checked_at=checked_at,
                        source=source[:255],
                    )
                )
            elif wash.dncr_checked_at <= checked_at:  # an older file never replaces a newer wash
                wash.registered, wash.dncr_checked_at = answer.registered, checked_at
                wash.source = source[:255]
                changed.append(wash)
        WashResult.objects.bulk_create(created, batch_size=1000)
        WashResult.objects.bulk_update(
            changed, ["registered", "dncr_checked_at", "source"], batch_size=1000
        )
        report = WashReport(
            numbers=len(latest),
            registered=sum(answer.registered for answer in latest.values()),
        )
        record_audit(
            agency,
            actor,
            "compliance.wash_imported",
            f"Imported a Do Not Call Register wash of {report.numbers:,} numbers "
            f"({report.registered:,} registered) from {source}",
            detail={"numbers": report.numbers, "registered": report.registered},
        )
    return report


def wash_directly(*, agency, phones: list[str], actor=None) -> WashReport:
    """Wash `phones` through a service that washes by itself (not the file client)."""
    client = get_dncr_client()
    answers = client.wash(sorted(set(phones)))
    return record_wash(
        agency=agency, answers=answers, checked_at=timezone.now(), source=client.name, actor=actor
    )
