import pytest

from tests.factories import make_call, make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_open_a_call_from_the_list_and_read_its_transcript(logged_in_page, live_server):
    contact = make_contact(name="Priya Sharma", phone="+61412345678")
    make_call(
        contact=contact,
        title="Inspection enquiry",
        summary="Priya asked about 12 Ocean Street.",
        transcript=[
            {"role": "agent", "message": "Hi, thanks for calling.", "time_in_call_secs": 0},
            {
                "role": "user",
                "message": "Is 12 Ocean Street still available?",
                "time_in_call_secs": 4,
            },
            {
                "role": "agent",
                "message": None,
                "time_in_call_secs": 9,
                "tool_calls": [
                    {
                        "request_id": "r1",
                        "tool_name": "check_property",
                        "params_as_json": '{"address": "12 Ocean Street"}',
                    }
                ],
            },
            {
                "role": "agent",
                "message": None,
                "time_in_call_secs": 10,
                "tool_results": [
                    {
                        "request_id": "r1",
                        "tool_name": "check_property",
                        "result_value": '{"status": "available"}',
                        "is_error": False,
                    }
                ],
            },
            {"role": "agent", "message": "Yes, it's available.", "time_in_call_secs": 11},
        ],
    )
    page = logged_in_page

    page.get_by_role("link", name="Calls", exact=True).click()
    page.wait_for_url(f"{live_server.url}/calls/")
    page.get_by_role("row", name="Priya Sharma").get_by_role("link").click()

    assert page.get_by_role("heading", name="Inspection enquiry").is_visible()
    transcript = page.locator(".transcript")
    assert transcript.get_by_text("Is 12 Ocean Street still available?").is_visible()
    assert transcript.get_by_text("Tool: check_property").is_visible()
    assert transcript.get_by_text("00:04").is_visible()
    assert page.get_by_text("Priya asked about 12 Ocean Street.").is_visible()
