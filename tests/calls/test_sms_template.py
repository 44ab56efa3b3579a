from voqo.sms import count_segments, render_sms, render_sms_within_limit, template_errors

VARIABLES = {
    "caller_name": "Priya",
    "caller_phone": "0412 345 678",
    "call_summary": "Asked about a house",
    "agent_name": "Lisa",
    "call_duration": "2m 25s",
    "call_date": "22 November 2026",
}
SIGN_OFF = " Feel free to call back anytime. - {agent_name}"


def test_plain_text_counts_gsm7_segments():
    assert count_segments("a" * 160).segments == 1
    assert count_segments("a" * 161).segments == 2
    assert count_segments("a" * 306).segments == 2
    assert count_segments("a" * 307).segments == 3
    assert count_segments("a" * 10).encoding == "GSM-7"


def test_extension_characters_cost_two_septets():
    count = count_segments("€" * 80)
    assert count.encoding == "GSM-7" and count.units == 160 and count.segments == 1
    assert count_segments("€" * 81).segments == 2


def test_an_emoji_switches_to_ucs2_and_counts_two_units():
    count = count_segments("Thanks 😊")
    assert count.encoding == "UCS-2" and count.units == 9 and count.segments == 1
    assert count_segments("a" * 68 + "😊").segments == 1  # 70 units
    assert count_segments("a" * 69 + "😊").segments == 2  # 71 units → 67 per part
    assert count_segments("ü" * 160).encoding == "GSM-7"  # ü is in GSM-7
    assert count_segments("…").encoding == "UCS-2"


def test_all_variables_are_filled_in():
    text = render_sms(
        "{caller_name} {caller_phone} {call_summary} {agent_name} {call_duration} {call_date}",
        VARIABLES,
    )
    assert text == "Priya 0412 345 678 Asked about a house Lisa 2m 25s 22 November 2026"


def test_unknown_variables_and_unbalanced_braces_are_named():
    [error] = template_errors("Hi {caller_name}, {surname} and {price}")
    assert "{surname}" in error and "{price}" in error and "Unknown variables" in error
    assert "unbalanced" in template_errors("Hi {caller_name")[0]
    assert "unbalanced" in template_errors("Hi caller_name}")[0]
    assert template_errors("Hi {{literal}} {caller_name}") == []
    assert template_errors("{caller_name.upper}")
    assert template_errors("{caller_name!r}")


def test_long_summary_is_truncated_keeping_the_sign_off():
    template = "Hi {caller_name}, here's our chat: {call_summary}." + SIGN_OFF
    long = {**VARIABLES, "call_summary": "The caller asked about many houses. " * 40}

    text = render_sms_within_limit(template, long)

    assert count_segments(text).segments <= 3
    assert text.endswith("Feel free to call back anytime. - Lisa")
    assert "...." in text or "..." in text
    assert count_segments(text).encoding == "GSM-7"  # no "…" forcing UCS-2
    assert len(text) > 400  # it used the room it had


def test_unicode_message_truncates_with_an_ellipsis_and_fits_ucs2_segments():
    template = "Hi {caller_name} 😊 {call_summary}" + SIGN_OFF
    long = {**VARIABLES, "call_summary": "Über-keen buyer wants a view. " * 20}

    text = render_sms_within_limit(template, long)

    count = count_segments(text)
    assert count.encoding == "UCS-2" and count.segments <= 3 and count.units > 67 * 2
    assert "…" in text
    assert text.endswith("- Lisa")


def test_short_messages_are_left_alone():
    template = "Hi {caller_name}: {call_summary}" + SIGN_OFF
    assert render_sms_within_limit(template, VARIABLES) == render_sms(template, VARIABLES)
