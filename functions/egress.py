"""Outgoing HTTP for custom functions, safe against SSRF.

Every hop (the endpoint and each redirect) is resolved here, every address is checked, and
the connection goes to the checked address (pinned: the Host header and TLS SNI carry the
name), so DNS cannot answer differently between check and connect. Refused: loopback,
private, link-local (cloud metadata), multicast, reserved, unspecified, CGNAT, benchmark,
6to4/Teredo/NAT64 and IPv4-mapped/compatible IPv6 forms of those. Numeric host forms such as
2130706433, 0x7f000001 or 0177.0.0.1 are read the way the C resolver reads them
(`inet_aton`) and checked as the address they mean.

The timeout is a total deadline for the whole exchange (name lookup, connect, TLS, headers,
body, redirects): a socket timeout alone restarts with every byte, so an endpoint dripping
one byte a second would hold the request (and a web worker) indefinitely. A watchdog cuts
every socket of the exchange when the deadline passes, and the lookup runs on a lookup
thread we stop waiting for.

Connections are kept for the next exchange with the same checked address, port and host
name (so a webhook receiver or an agency's API is not connected to, and TLS-handshaken,
again for every request); the name is still resolved and checked for every request, and a
kept connection is only ever used for the address it was opened to.

`settings.ALLOWED_FUNCTION_HOSTS` lists exact host names that skip the address check
(development and tests, e.g. "localhost"); it opens those names only, never the addresses.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as LookupTimedOut
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings

from functions.deadline import (
    Deadline,
    WatchedHTTPPool,
    WatchedHTTPSPool,
    used_a_kept_connection,
    watched_by,
)

MAX_REDIRECTS = 3
MAX_RESPONSE_BYTES = 256 * 1024
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
_CHUNK = 16 * 1024
# Destinations whose connections are kept, and idle connections kept per destination.
KEPT_DESTINATIONS = 64
KEPT_CONNECTIONS = 4
# Lookups that may hang at once before the next waits its turn (each is bounded by the
# resolver's own timeouts; the exchange's deadline stops waiting for it).
LOOKUP_THREADS = 16

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Ranges that `ipaddress` (3.11) does not call private although they reach internal
# networks or embed an internal IPv4 address (PITFALLS.md, "SSRF").
_BLOCKED_NETWORKS = tuple(
    ipaddress.ip_network(cidr)
    for cidr in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host
        "100.64.0.0/10",  # carrier-grade NAT
        "169.254.0.0/16",  # link-local, incl. 169.254.169.254 (cloud metadata)
        "192.0.0.0/24",  # IETF protocol assignments
        "192.88.99.0/24",  # 6to4 relay anycast
        "198.18.0.0/15",  # benchmarking
        "240.0.0.0/4",  # reserved
        "::/96",  # IPv4-compatible IPv6 (deprecated), :: and ::1 among them
        "64:ff9b::/96",  # NAT64
        "64:ff9b:1::/48",  # local-use NAT64
        "100::/64",  # discard-only
        "2001::/32",  # Teredo
        "2001:20::/28",  # ORCHIDv2
        "2001:db8::/32",  # documentation
        "2002::/16",  # 6to4 (embeds an IPv4 address)
        "3fff::/20",  # documentation
        "5f00::/16",  # segment routing
        "fc00::/7",  # unique local, incl. fd00:ec2::254 (AWS metadata over IPv6)
        "fec0::/10",  # site-local (deprecated)
        "fe80::/10",  # link-local
    )
)


class EgressError(Exception):
    """The outgoing request failed. `kind` says how; the message is for staff (no secrets)."""

    kind = "connection"


class DestinationRefused(EgressError):
    kind = "refused"


class EgressTimeout(EgressError):
    kind = "timeout"


class ResponseTooLarge(EgressError):
    kind = "too_large"


class TooManyRedirects(EgressError):
    kind = "redirects"


@dataclass
class OutgoingRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    timeout: float
    # Headers that carry secrets: masked for display, dropped on a redirect to another host.
    secret_headers: frozenset[str] = field(default_factory=frozenset)
    # The most body bytes read (a property feed is larger than a tool's answer).
    max_bytes: int = MAX_RESPONSE_BYTES

    def masked_headers(self) -> dict[str, str]:
        secret = {name.lower() for name in self.secret_headers}
        return {
            name: ("••••" if name.lower() in secret else value)
            for name, value in self.headers.items()
        }


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes
    url: str  # after redirects

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


def is_public_address(ip: IPAddress) -> bool:
    """Whether `ip` is an ordinary public unicast address that a function may reach."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(ip.ipv4_mapped)
        if ip.sixtofour is not None or ip.teredo is not None:
            return False
    if any(ip in network for network in _BLOCKED_NETWORKS if network.version == ip.version):
        return False
    return ip.is_global and not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    )


def _literal_address(host: str) -> IPAddress | None:
    """The address a numeric host means, in any form the C resolver accepts."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton reads 2130706433, 0x7f000001, 0177.0.0.1 and 127.1 as 127.0.0.1.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except OSError:
        return None


def is_allowed_host(host: str) -> bool:
    allowed = {name.strip().lower().rstrip(".") for name in settings.ALLOWED_FUNCTION_HOSTS}
    return host.lower().rstrip(".") in allowed


def _new_lookup_threads() -> ThreadPoolExecutor:
    """A few reusable threads for name lookups (a new thread per lookup cost more than the
    lookup); made afresh in a forked child, which inherits none of them."""
    return ThreadPoolExecutor(LOOKUP_THREADS, thread_name_prefix="function-dns")


_lookup_threads = _new_lookup_threads()


def _getaddrinfo(host: str, port: int, within: float | None) -> list:
    """`socket.getaddrinfo`, given up on after `within` seconds (the lookup cannot be cut)."""
    if within is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    lookup = _lookup_threads.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return lookup.result(timeout=max(within, 0))
    except LookupTimedOut:
        raise EgressTimeout(f"The name {host} could not be looked up within the timeout.") from None


def resolve_destination(host: str, port: int, within: float | None = None) -> list[IPAddress]:
    """The addresses to connect to for `host`; DestinationRefused if any is not public.

    `within`: seconds the name lookup may take (EgressTimeout after that).
    """
    host = host.lower().rstrip(".")  # "LOCALHOST." is the name localhost
    if not host:
        raise DestinationRefused("The endpoint URL has no host.")
    literal = _literal_address(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            infos = _getaddrinfo(host, port, within)
        except (socket.gaierror, UnicodeError):
            raise EgressError(f"The host name {host} could not be resolved.") from None
        addresses = []
        for info in infos:
            address = ipaddress.ip_address(info[4][0].split("%", 1)[0])
            if address not in addresses:
                addresses.append(address)
        if not addresses:
            raise EgressError(f"The host name {host} could not be resolved.")
    if is_allowed_host(host):
        return addresses
    for address in addresses:
        if not is_public_address(address):
            # A name with one internal address among public ones is refused as a whole:
            # that is how DNS-rebinding setups look.
            raise DestinationRefused(
                f"Refused to connect to {host}: it resolves to {address}, a private, loopback, "
                "link-local or reserved address. Add the host to ALLOWED_FUNCTION_HOSTS only "
                "for development."
            )
    return addresses


def send_request(request: OutgoingRequest) -> RawResponse:
    """Send `request`, following up to MAX_REDIRECTS redirects, each target checked again.

    The whole exchange, redirects included, must finish within `request.timeout` seconds
    (EgressTimeout otherwise); the body is read up to MAX_RESPONSE_BYTES.
    """
    deadline = Deadline(request.timeout)
    try:
        return _follow_redirects(request, deadline)
    finally:
        deadline.cancel()


def _follow_redirects(request: OutgoingRequest, deadline: Deadline) -> RawResponse:
    method, url, body = request.method.upper(), request.url, request.body
    headers = dict(request.headers)
    origin = _origin(url)
    for hop in range(MAX_REDIRECTS + 1):
        response = _send_once(
            method, url, headers, body, deadline, request.timeout, request.max_bytes
        )
        location = response.headers.get("location")
        if response.status not in REDIRECT_STATUSES or not location:
            return response
        if hop == MAX_REDIRECTS:
            raise TooManyRedirects(f"The endpoint redirected more than {MAX_REDIRECTS} times.")
        url = urljoin(url, location)
        if response.status == 303 or (response.status in (301, 302) and method != "HEAD"):
            if method not in ("GET", "HEAD"):
                method, body = "GET", None
                headers = {k: v for k, v in headers.items() if k.lower() != "content-type"}
        if _origin(url) != origin:
            # Never hand the agency's credentials to another host.
            secret = {name.lower() for name in request.secret_headers}
            headers = {k: v for k, v in headers.items() if k.lower() not in secret}
    raise TooManyRedirects(f"The endpoint redirected more than {MAX_REDIRECTS} times.")


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return (parts.scheme.lower(), (parts.hostname or "").lower(), port)


def _send_once(
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
    deadline: Deadline,
    timeout: float,
    max_bytes: int = MAX_RESPONSE_BYTES,
) -> RawResponse:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise DestinationRefused(f"Only http and https URLs can be called, not “{scheme}:”.")
    if parts.username or parts.password:
        raise DestinationRefused("URLs with a user name or password are not allowed.")
    host = parts.hostname or ""
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise DestinationRefused("The URL has an invalid port.") from None
    addresses = resolve_destination(host, port, within=deadline.remaining())

    host_header = f"[{host}]" if ":" in host else host
    if parts.port:
        host_header += f":{parts.port}"
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    send_headers = {**headers, "Host": host_header}

    too_slow = EgressTimeout(f"{host} did not answer within {timeout:g} s.")
    last_error: EgressError | None = None
    for address in addresses:
        pool = _kept_pools.get(scheme, address, port, host)
        for is_retry in (False, True):
            remaining = deadline.remaining()
            if remaining <= 0 or deadline.expired:
                raise too_slow
            try:
                with watched_by(deadline):
                    return _exchange_on(
                        pool, method, url, target, body, send_headers, deadline, max_bytes
                    )
            except urllib3.exceptions.NewConnectionError:
                if deadline.expired:
                    raise too_slow from None
                last_error = EgressError(f"Could not connect to {host}.")
                break  # try the host's next address
            except urllib3.exceptions.TimeoutError:
                raise too_slow from None
            except urllib3.exceptions.ProtocolError:
                if deadline.expired:
                    raise too_slow from None
                if not is_retry and used_a_kept_connection():
                    # The receiver closed an idle kept connection as we sent on it, before
                    # any answer (browsers send again in this case too); once.
                    continue
                raise EgressError(f"The connection to {host} failed.") from None
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                if deadline.expired:
                    raise too_slow from None
                if isinstance(exc, urllib3.exceptions.SSLError):
                    raise EgressError(f"The TLS connection to {host} failed.") from None
                raise EgressError(f"The connection to {host} failed.") from None
    if last_error is not None:
        raise last_error
    raise too_slow


def _exchange_on(pool, method, url, target, body, headers, deadline, max_bytes) -> RawResponse:
    """One request on a kept (or new) connection of `pool`. The connection is kept again
    only when its answer was read to the end."""
    remaining = deadline.remaining()
    response = pool.urlopen(
        method,
        target,
        body=body,
        headers=headers,
        timeout=urllib3.Timeout(connect=remaining, read=remaining),
        redirect=False,
        retries=False,
        preload_content=False,
        assert_same_host=False,
    )
    try:
        content = _read_capped(response, deadline.at, max_bytes)
    except BaseException:
        # Unread bytes would be taken for the next request's answer.
        if response.connection is not None:
            response.connection.close()
        raise
    finally:
        response.release_conn()
    if deadline.expired:
        # A cut connection can look like the end of a body without a length.
        raise urllib3.exceptions.ReadTimeoutError(pool, target, "deadline")
    return RawResponse(
        status=response.status,
        headers={k.lower(): v for k, v in response.headers.items()},
        body=content,
        url=url,
    )


class _KeptPools:
    """Connection pools by (scheme, checked address, port, host name), least recently used
    dropped beyond KEPT_DESTINATIONS. A forked child starts with none: a socket shared with
    the parent would interleave both processes' requests."""

    def __init__(self) -> None:
        self.pools: OrderedDict[tuple, urllib3.HTTPConnectionPool] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, scheme: str, address: IPAddress, port: int, host: str):
        key = (scheme, str(address), port, host)
        with self.lock:
            pool = self.pools.get(key)
            if pool is not None:
                self.pools.move_to_end(key)
                return pool
            pool = self.pools[key] = _new_pool(scheme, address, port, host)
            if len(self.pools) > KEPT_DESTINATIONS:
                self.pools.popitem(last=False)[1].close()
            return pool

    def close_all(self) -> None:
        with self.lock:
            pools, self.pools = list(self.pools.values()), OrderedDict()
        for pool in pools:
            pool.close()


def _new_pool(scheme: str, address: IPAddress, port: int, host: str):
    options = {
        "host": str(address),
        "port": port,
        "retries": False,
        "maxsize": KEPT_CONNECTIONS,
        "block": False,  # more at once than are kept: the extra connections are closed after
    }
    if scheme == "https":
        # Pinned to the address, verified against the name.
        return WatchedHTTPSPool(
            **options, cert_reqs="CERT_REQUIRED", server_hostname=host, assert_hostname=host
        )
    return WatchedHTTPPool(**options)


_kept_pools = _KeptPools()


def close_kept_connections() -> None:
    """Close every kept connection of this process (a receiver that must not see an old
    connection again: tests start each from none, as their servers come and go)."""
    _kept_pools.close_all()


def _start_afresh_after_fork() -> None:
    global _kept_pools, _lookup_threads
    _kept_pools, _lookup_threads = _KeptPools(), _new_lookup_threads()


os.register_at_fork(after_in_child=_start_afresh_after_fork)


def _read_capped(
    response: urllib3.BaseHTTPResponse, deadline: float, max_bytes: int = MAX_RESPONSE_BYTES
) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLarge(
            f"The answer was {int(declared):,} bytes; at most {max_bytes:,} are read."
        )
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            # A server that drips bytes slowly must not hold the conversation past the timeout.
            raise urllib3.exceptions.ReadTimeoutError(None, None, "deadline")  # type: ignore[arg-type]
        chunk = response.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise ResponseTooLarge(f"The answer exceeded {max_bytes:,} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)
