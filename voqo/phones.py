"""The one phone-number helper: every number Voqo stores is E.164.

The one rule for which numbers are good for what:

- a contact (form, import, a caller) may store any valid number, 13/1300/1800 included;
- outbound calls (Call now, Call a number, campaign uploads and dialling) go only to mobiles
  and landlines (`outbound_call_problem`);
- the follow-up SMS goes only to mobiles: Australian ones, and foreign ones when the
  `sms_foreign_mobiles` setting allows (`sms_problem`).
"""

import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from phonenumbers import PhoneNumberType

CALLABLE_TYPES = frozenset(
    {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
)
# FIXED_LINE_OR_MOBILE: countries (the US, Canada) whose numbers do not say which they are.
SMS_TYPES = frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE})
SERVICE_TYPES = frozenset(
    {PhoneNumberType.SHARED_COST, PhoneNumberType.TOLL_FREE, PhoneNumberType.PREMIUM_RATE}
)


class InvalidPhoneNumber(ValidationError):
    """A number that cannot be read as a valid phone number, with the reason."""


# Australian mobiles and landlines, straight from phonenumbers' own metadata: the fast path
# below applies exactly the patterns is_valid_number() would, without parse()'s generic
# machinery, which costs ~20x more per number (it dominates a 100k-row CSV import).
_AU_METADATA = phonenumbers.PhoneMetadata.metadata_for_region("AU")
# One pattern for both (ASCII digits only: `\d` alone would also take Arabic-Indic ones).
_AU_CALLABLE = re.compile(
    r"(?=[0-9]+\Z)(?:"
    + "|".join(
        f"(?:{description.national_number_pattern})"
        for description in (_AU_METADATA.mobile, _AU_METADATA.fixed_line)
    )
    + ")",
    re.ASCII,
)
_FORMATTING = str.maketrans("", "", " -().\t")


def _australian_fast_path(text: str) -> str | None:
    """E.164 for a well-formed Australian mobile or landline, else None (use the full parse)."""
    compact = text.translate(_FORMATTING)
    if compact.startswith("+61"):
        national = compact[3:]
    elif compact.startswith("001161"):
        national = compact[6:]
    elif len(compact) == 11 and compact.startswith("61"):
        national = compact[2:]
    elif len(compact) == 10 and compact.startswith("0"):
        national = compact[1:]
    elif len(compact) == 9:
        national = compact
    else:
        return None
    if _AU_CALLABLE.fullmatch(national):
        return "+61" + national
    return None


EXCEL_ROUNDED = "Excel rounded this number — format the column as text"
_EXCEL_NUMBER = re.compile(r"^([0-9])(?:[.,]([0-9]*))?[eE]\+?([0-9]{1,2})$")


def excel_number_digits(raw: str) -> str | None:
    """The digits of a number a spreadsheet shows in scientific notation, or None if not one.

    `4.12345678E+08` is exactly 412345678 and gives "412345678". When the exponent asks for
    more digits than the mantissa has (`6.14123456E+10`), Excel has dropped the last digits:
    InvalidPhoneNumber, never a completed or guessed number (reading the digits as typed
    would dial +61412345610, a different person).
    """
    if "e" not in raw and "E" not in raw:
        return None  # the common case, without a regular expression
    match = _EXCEL_NUMBER.match(raw.replace(" ", ""))
    if match is None:
        return None
    lead, fraction, exponent = match.group(1), match.group(2) or "", int(match.group(3))
    digits = lead + fraction
    if len(digits) < exponent + 1:
        raise InvalidPhoneNumber(f"{EXCEL_ROUNDED} (“{raw}”).")
    if len(digits) > exponent + 1 and digits[exponent + 1 :].strip("0"):
        raise InvalidPhoneNumber(f"“{raw}” is not a phone number.")
    return digits[: exponent + 1]


def normalize_phone(raw: str, *, region: str | None = None, callable_only: bool = False) -> str:
    """Return `raw` as E.164 (`+61412345678`) or raise InvalidPhoneNumber saying why.

    Accepts what people type: spaces, dashes, brackets, a leading 0 (national), 61 without
    the plus, the 0011 international prefix, or a spreadsheet's exact scientific notation
    (a rounded one is refused, see excel_number_digits). `callable_only` also refuses numbers Voqo
    must not dial (1300/1800 shared-cost, premium, and other non-personal services).
    """
    text = (raw or "").strip()
    if not text:
        raise InvalidPhoneNumber("Enter a phone number.")
    if "e" in text or "E" in text:
        text = excel_number_digits(text) or text
    region = region or settings.PHONE_DEFAULT_REGION
    if region == "AU":
        fast = _australian_fast_path(text)
        if fast is not None:
            return fast
    digits = "".join(ch for ch in text if ch.isdigit())
    if text[0] != "+" and region == "AU" and digits.startswith("61") and len(digits) == 11:
        text = "+" + digits  # "61412345678": the country code typed without the plus
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhoneNumber(f"“{raw}” is not a phone number.") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"“{raw}” is not a valid phone number.")
    if callable_only and phonenumbers.number_type(number) not in CALLABLE_TYPES:
        raise InvalidPhoneNumber(_not_callable_message(raw, number))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _not_callable_message(shown: str, number: phonenumbers.PhoneNumber) -> str:
    kind = (
        "a 13/1300/1800 or other service number"
        if phonenumbers.number_type(number) in SERVICE_TYPES
        else "not a personal number"
    )
    return (
        f"“{shown}” is {kind}, not a mobile or landline number. A contact may keep it, "
        "but Voqo only calls mobiles and landlines."
    )


def _parse_e164(e164: str) -> phonenumbers.PhoneNumber | None:
    try:
        number = phonenumbers.parse(e164 or "", None)
    except phonenumbers.NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def outbound_call_problem(e164: str) -> str:
    """Why Voqo will not call this stored number; empty when it may (a mobile or landline)."""
    number = _parse_e164(e164)
    if number is None:
        return f"“{e164}” is not a valid phone number, so Voqo will not call it."
    if phonenumbers.number_type(number) not in CALLABLE_TYPES:
        return _not_callable_message(format_phone(e164), number)
    return ""


def sms_problem(e164: str, *, allow_foreign_mobiles: bool) -> str:
    """Why this number cannot get Voqo's SMS; empty when it can (a mobile Voqo may text)."""
    number = _parse_e164(e164)
    if number is None:
        return "There is no valid number to text."
    shown = format_phone(e164)
    kind = phonenumbers.number_type(number)
    if kind in SERVICE_TYPES:
        return f"{shown} is a 13/1300/1800 or other service number, which cannot receive SMS."
    if kind not in SMS_TYPES:
        if kind == PhoneNumberType.FIXED_LINE:
            return f"{shown} is a landline, which cannot receive SMS."
        return f"{shown} is not a mobile number, which SMS need."
    if phonenumbers.region_code_for_number(number) != settings.PHONE_DEFAULT_REGION and (
        not allow_foreign_mobiles
    ):
        return (
            f"{shown} is a foreign number; turn on “Send SMS to foreign mobiles” in "
            "Settings to text it."
        )
    return ""


def try_normalize_phone(raw: str) -> str | None:
    """E.164 for `raw`, or None when it is not a valid number (for searches)."""
    try:
        return normalize_phone(raw)
    except ValidationError:
        return None


def format_phone(e164: str) -> str:
    """A number as people read it: national format at home, international abroad."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = settings.PHONE_DEFAULT_REGION
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
