import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from voqo.phones import format_phone, normalize_phone

AUSTRALIAN_INPUTS = [
    ("0412 345 678", "+61412345678"),
    ("+61 412 345 678", "+61412345678"),
    ("61412345678", "+61412345678"),
    ("0412-345-678", "+61412345678"),
    ("412345678", "+61412345678"),
    ("0011 61 412 345 678", "+61412345678"),
    ("(02) 9876 5432", "+61298765432"),
    ("02 9876 5432", "+61298765432"),
    ("+61 2 9876 5432", "+61298765432"),
    ("(08) 9123 4567", "+61891234567"),
    ("  +61412345678  ", "+61412345678"),
    ("+1 415 555 2671", "+14155552671"),
]

BAD_INPUTS = ["", "   ", "hello", "12", "0412 345", "+61 412 345 678 999", "0000 000 000"]


@pytest.mark.parametrize(("raw", "e164"), AUSTRALIAN_INPUTS)
def test_common_australian_inputs_become_e164(raw, e164):
    assert normalize_phone(raw) == e164


@pytest.mark.parametrize("raw", BAD_INPUTS)
def test_bad_inputs_get_a_clear_error(raw):
    with pytest.raises(ValidationError) as excinfo:
        normalize_phone(raw)
    message = excinfo.value.messages[0]
    assert "phone number" in message.lower()


def test_shared_cost_numbers_are_valid_but_not_callable():
    assert normalize_phone("1300 123 456") == "+611300123456"
    with pytest.raises(ValidationError, match="not a mobile or landline"):
        normalize_phone("1300 123 456", callable_only=True)


def test_numbers_are_shown_the_australian_way():
    assert format_phone("+61412345678") == "0412 345 678"
    assert format_phone("+14155552671") == "+1 415-555-2671"


# Allocated Australian mobile ranges start 040–043 and 046 (not every 04 prefix is in use).
@given(st.sampled_from(["40", "41", "42", "43", "46"]), st.integers(0, 9_999_999))
def test_every_mobile_written_any_common_way_normalises_to_the_same_number(prefix, suffix):
    digits = f"{prefix}{suffix:07d}"
    expected = "+61" + digits
    spaced = f"0{digits[:3]} {digits[3:6]} {digits[6:]}"
    for variant in (f"0{digits}", f"+61{digits}", f"61{digits}", spaced, f"+61 {digits}"):
        assert normalize_phone(variant) == expected


def _full_parse(raw: str, callable_only: bool) -> str | None:
    """The reference: phonenumbers' parse/validate/type path, no shortcuts."""
    import phonenumbers

    from voqo.phones import CALLABLE_TYPES

    try:
        number = phonenumbers.parse(raw, "AU")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if callable_only and phonenumbers.number_type(number) not in CALLABLE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@given(
    st.sampled_from(["0", "+61", "61", "0011 61 ", "+61 ", "(0", ""]),
    st.text(alphabet="0123456789", min_size=8, max_size=10),
    st.sampled_from(["", " ", "-"]),
)
def test_the_australian_fast_path_agrees_with_a_full_parse(prefix, digits, separator):
    raw = prefix + separator.join([digits[:1], digits[1:5], digits[5:]])
    if prefix == "(0":
        raw = f"(0{digits[:1]}) {digits[1:]}"
    for callable_only in (False, True):
        expected = _full_parse(raw, callable_only)
        try:
            actual = normalize_phone(raw, callable_only=callable_only)
        except ValidationError:
            actual = None
        assert actual == expected, raw
