"""Never an open proxy: an upstream host must be a registered provider, a sovereign endpoint, or listed."""

from __future__ import annotations

import ipaddress
import re

from collector.gateway.errors import GatewayError

_HOSTNAME = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa")


def check_host(host: str, registered: bool, listed: bool) -> str:
    """``host`` in lower case when it may be called; else a 403 naming why."""
    host = host.strip().lower()
    literal = _ip(host)
    if listed:
        return host
    if literal is not None:
        kind = "private or local" if (literal.is_private or literal.is_loopback or literal.is_link_local) else "literal"
        raise GatewayError(403, "upstream_refused", f"upstream {host} is an IP {kind} address; only registered "
                                                    "hosts are called (add it to allow_hosts if it is yours)")
    if not _HOSTNAME.match(host):
        raise GatewayError(400, "bad_upstream", "the upstream host is not a valid DNS name")
    if host.endswith(_LOCAL_NAMES) or host in _LOCAL_NAMES:
        raise GatewayError(403, "upstream_refused", f"upstream {host} is a local name; register it in allow_hosts")
    if not registered:
        raise GatewayError(403, "unknown_upstream", f"upstream {host} is not in the provider registry; "
                                                    "Douane forwards only to registered AI providers")
    return host


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
