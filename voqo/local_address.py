"""The address a development server is reached at, from the host and port it binds."""

WILDCARD_HOSTS = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}


def local_base_url(host: str, port: str | int) -> str:
    """`http://host:port` for a browser or webhook on this machine (no trailing slash).

    A wildcard bind (0.0.0.0, ::) is reached through loopback; IPv6 gets its brackets.
    """
    host = WILDCARD_HOSTS.get(host, host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"
