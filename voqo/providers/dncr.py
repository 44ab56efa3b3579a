"""The Do Not Call Register washing service, behind the provider boundary.

Washing is an external subscription (ACMA's register): a telemarketer uploads its numbers and
gets back, per number, whether it is registered. Voqo speaks the register's file formats —
the upload is one Australian number per line in national format (0412345678), the result
is one number per line with its answer (`0412345678,Y`) — so the default client only writes
and reads files that staff carry to and from the register's portal. A client that washes
through an API sets `washes_directly` and implements `wash()`; `settings.VOQO_DNCR_CLIENT`
names the class to use (tests name a fake).
"""

from __future__ import annotations

import abc
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from voqo.phones import try_normalize_phone

DEFAULT_CLIENT = "voqo.providers.dncr.FileWashClient"

REGISTERED_ANSWERS = frozenset({"y", "yes", "registered", "true", "1", "r"})
NOT_REGISTERED_ANSWERS = frozenset(
    {"n", "no", "not registered", "not_registered", "notregistered", "false", "0", "nr"}
)
_SEPARATORS = re.compile(r"[,;\t|]")
# Problems listed in one error message before "and N more".
_SHOWN_PROBLEMS = 5


@dataclass(frozen=True)
class WashAnswer:
    """The register's answer for one number (E.164)."""

    phone: str
    registered: bool


class WashFileError(ValueError):
    """A result file Voqo cannot read, with the lines at fault, in words for staff."""


class DncrUnavailable(Exception):
    """This client cannot wash by itself (files only), or the service refused; in words."""


def national_number(e164: str) -> str:
    """+61412345678 → 0412345678 (the register's upload format); '' for a foreign number."""
    if e164.startswith("+61") and e164[3:].isdigit():
        return "0" + e164[3:]
    return ""


class DncrClient(abc.ABC):
    """What Voqo asks of a washing service."""

    name = ""
    washes_directly = False

    def upload_file(self, phones: Iterable[str]) -> str:
        """The register's upload file for `phones` (E.164): one national number per line.

        Foreign numbers are left out: the register holds Australian numbers only.
        """
        lines = sorted({national for phone in phones if (national := national_number(phone))})
        return "".join(f"{line}\r\n" for line in lines)

    def read_results(self, text: str) -> list[WashAnswer]:
        """The answers of a result file: `number,answer` per line (comma, semicolon, tab or
        bar between them; Y/N, Yes/No, Registered/Not registered). A first line that is not a
        number is taken as a header. Raises WashFileError naming every line at fault."""
        answers: list[WashAnswer] = []
        problems: list[str] = []
        for line_number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            cells = [cell.strip().strip('"').strip() for cell in _SEPARATORS.split(line)]
            phone = try_normalize_phone(cells[0].lstrip("'"))
            if phone is None:
                if line_number == 1 and not any(char.isdigit() for char in cells[0]):
                    continue  # a header ("Number,Result")
                problems.append(f"line {line_number}: “{cells[0][:40]}” is not a phone number")
                continue
            answer = " ".join(cells[1].lower().split()) if len(cells) > 1 else ""
            if answer in REGISTERED_ANSWERS:
                answers.append(WashAnswer(phone, True))
            elif answer in NOT_REGISTERED_ANSWERS:
                answers.append(WashAnswer(phone, False))
            else:
                shown = answer[:40] or "nothing"
                problems.append(
                    f"line {line_number}: the answer is “{shown}”, not Y (registered) "
                    "or N (not registered)"
                )
        if problems:
            more = len(problems) - _SHOWN_PROBLEMS
            listed = "; ".join(problems[:_SHOWN_PROBLEMS]) + (
                f"; and {more} more" if more > 0 else ""
            )
            raise WashFileError(f"Nothing was imported. Fix the file and try again: {listed}.")
        if not answers:
            raise WashFileError(
                "The file has no results. It should list one number per line with its answer, "
                "e.g. “0412345678,Y”."
            )
        return answers

    @abc.abstractmethod
    def wash(self, phones: list[str]) -> list[WashAnswer]:
        """Wash `phones` (E.164) through the service; raises DncrUnavailable."""


class FileWashClient(DncrClient):
    """The default: staff upload the exported file at the register and import its answer."""

    name = "Do Not Call Register (files)"

    def wash(self, phones: list[str]) -> list[WashAnswer]:
        raise DncrUnavailable(
            "Voqo washes through files: export the numbers, wash them at the Do Not Call "
            "Register, then import the result file."
        )


def get_dncr_client() -> DncrClient:
    """The client named by `settings.VOQO_DNCR_CLIENT` (the file client by default)."""
    path = getattr(settings, "VOQO_DNCR_CLIENT", "") or DEFAULT_CLIENT
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)()
