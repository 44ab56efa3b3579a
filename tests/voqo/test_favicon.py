import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_names_an_svg_icon_and_an_ico_fallback(staff_client, client):
    for html in (staff_client.get("/").content, client.get("/login/").content):
        assert b'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
        assert b'<link rel="icon" href="/static/favicon.ico" sizes="32x32">' in html
    assert finders.find("favicon.svg") and finders.find("favicon.ico")


def test_the_root_favicon_address_leads_to_the_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
