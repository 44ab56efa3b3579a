from api.models import ApiKey
from tests.api.conftest import key_client
from tests.factories import make_staff_user


def test_an_owner_makes_a_key_that_is_shown_once_and_stored_hashed(client, db):
    client.force_login(make_staff_user(username="owner"))
    response = client.post("/settings/api-keys/", {"name": "CRM sync"})
    page = response.content.decode()
    key = ApiKey.objects.get()
    secret = page.split('id="new-key" type="text" readonly value="')[1].split('"')[0]
    assert secret.startswith(key.prefix) and key.key_hash != secret and secret not in key.key_hash
    assert secret not in client.get("/settings/api-keys/").content.decode()
    assert key_client(secret).get("/api/v1/contacts").status_code == 200


def test_a_revoked_key_stops_working_at_once(client, db):
    client.force_login(make_staff_user(username="owner"))
    page = client.post("/settings/api-keys/", {"name": "CRM"}).content.decode()
    secret = page.split('id="new-key" type="text" readonly value="')[1].split('"')[0]
    key = ApiKey.objects.get()
    assert (
        "stops working at once"
        in client.get(f"/settings/api-keys/{key.pk}/revoke/").content.decode()
    )
    client.post(f"/settings/api-keys/{key.pk}/revoke/")
    response = key_client(secret).get("/api/v1/contacts")
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]


def test_only_owners_manage_keys_and_webhooks(client, db):
    client.force_login(make_staff_user(username="manager", role="manager"))
    assert client.get("/settings/api-keys/").status_code == 403
    assert client.get("/settings/webhooks/").status_code == 403


def test_a_nameless_key_is_refused_with_a_reason(client, db):
    client.force_login(make_staff_user(username="owner"))
    page = client.post("/settings/api-keys/", {"name": "  "}).content.decode()
    assert "This field is required" in page or "Give the key a name" in page
    assert not ApiKey.objects.exists()


def test_a_webhook_endpoint_registered_by_api_returns_its_secret_once(api):
    created = api.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://crm.example.com/hooks", "event_types": ["call.completed"]},
        "application/json",
    ).json()
    assert created["secret"].startswith("whsec_")
    again = api.get(f"/api/v1/webhook-endpoints/{created['id']}").json()
    assert again["secret"] is None
    bad = api.post(
        "/api/v1/webhook-endpoints",
        {"url": "ftp://crm.example.com", "event_types": ["call.completed"]},
        "application/json",
    )
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "url"
    bad = api.post(
        "/api/v1/webhook-endpoints",
        {"url": "https://crm.example.com", "event_types": ["house.sold"]},
        "application/json",
    )
    assert bad.json()["error"]["field"] == "event_types"
