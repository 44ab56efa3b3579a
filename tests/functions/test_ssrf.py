"""Functions never reach internal addresses: checked after DNS, per redirect, in every form.

Loopback forms go through the real proxy and point at the local target server's port, so a
gap in the guard would show up as a request the target received. Other internal ranges are
checked at the resolver step only: no test ever sends traffic towards them.
"""

import ipaddress

import pytest

from functions import egress
from functions.models import CustomFunction, FunctionInvocation
from tests.factories import make_agent
from tests.functions.helpers import invoke, make_function

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_allowed(settings):
    settings.ALLOWED_FUNCTION_HOSTS = []


LOOPBACK_FORMS = [
    "http://127.0.0.1:{port}/",
    "http://127.1:{port}/",
    "http://[::1]:{port}/",
    "http://0.0.0.0:{port}/",
    "http://[::ffff:127.0.0.1]:{port}/",
    "http://2130706433:{port}/",
    "http://0177.0.0.1:{port}/",
    "http://0x7f000001:{port}/",
    "http://localhost:{port}/",
    "http://LOCALHOST.:{port}/",
]


@pytest.mark.parametrize("template", LOOPBACK_FORMS)
def test_loopback_in_any_form_is_refused(client, target, template):
    function = make_function(make_agent(), endpoint=template.format(port=target.port))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert response.status_code == 200
    assert response.json()["error"] == "The property system isn't available right now."
    assert target.requests == []
    logged = FunctionInvocation.objects.get()
    assert logged.status == "error"
    assert "Refused to connect" in logged.error


INTERNAL_HOSTS = [
    "10.0.0.1",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "198.18.0.1",  # benchmarking
    "192.0.0.170",
    "0x0a000001",  # hex 10.0.0.1
    "012.0.0.1",  # octal 10.0.0.1
    "167772161",  # decimal 10.0.0.1
    "::",
    "::1",
    "fe80::1",
    "fc00::1",
    "fd00:ec2::254",  # AWS metadata over IPv6
    "ff02::1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "2002:7f00:1::1",  # 6to4 wrapping 127.0.0.1
    "2002:a00:1::1",  # 6to4 wrapping 10.0.0.1
    "64:ff9b::a00:1",  # NAT64 wrapping 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 wrapping 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
]


@pytest.mark.parametrize("host", INTERNAL_HOSTS)
def test_internal_addresses_are_refused_before_any_connection(host):
    with pytest.raises(egress.DestinationRefused):
        egress.resolve_destination(host, 80)


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert egress.is_public_address(ipaddress.ip_address(address))


def test_an_allowed_host_name_does_not_open_its_address(settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    assert egress.resolve_destination("localhost", 80)
    with pytest.raises(egress.DestinationRefused):
        egress.resolve_destination("127.0.0.1", 80)


def test_a_redirect_from_an_allowed_host_to_loopback_is_refused(client, target, settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    target.redirect("/start", f"http://127.0.0.1:{target.port}/internal-admin")
    function = make_function(make_agent(), endpoint=target.url("/start"))

    response = invoke(client, function, {"address": "1 Beach Rd"})

    assert [r.path for r in target.requests] == ["/start"]
    assert "isn't available" in response.json()["error"]
    assert "127.0.0.1" in FunctionInvocation.objects.get().error


def test_redirects_within_allowed_hosts_are_followed_up_to_three(client, target, settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost"]
    for hop in range(1, 4):
        target.redirect(f"/r{hop}", f"/r{hop + 1}")
    target.answer("/r4", {"found": True})
    function = make_function(make_agent(), endpoint=target.url("/r1"))

    assert invoke(client, function, {"address": "x"}).json() == {"found": True}

    target.redirect("/r4", "/r5")
    response = invoke(client, function, {"address": "x"})
    assert "isn't available" in response.json()["error"]
    assert "redirected more than 3 times" in FunctionInvocation.objects.first().error


def test_a_redirect_to_another_host_drops_the_credentials(client, target, settings):
    settings.ALLOWED_FUNCTION_HOSTS = ["localhost", "127.0.0.1"]
    target.redirect("/start", f"http://127.0.0.1:{target.port}/elsewhere", status=307)
    function = make_function(
        make_agent(),
        endpoint=target.url("/start"),
        auth_type=CustomFunction.AuthType.BEARER,
        auth_config={"token": "tok-redirect-1"},
    )

    invoke(client, function, {"address": "x"})

    first, second = target.requests
    assert first.headers["authorization"] == "Bearer tok-redirect-1"
    assert second.path == "/elsewhere" and "authorization" not in second.headers
    assert second.method == "POST" and second.json == {"address": "x"}  # 307 keeps the body
