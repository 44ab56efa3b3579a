import pytest

pytestmark = pytest.mark.browser


def test_staff_log_in_and_see_the_dashboard(logged_in_page, live_server):
    page = logged_in_page
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    page.get_by_role("link", name="Calls", exact=True).click()
    page.wait_for_url(f"{live_server.url}/calls/")
    assert page.get_by_role("heading", name="Calls").is_visible()
