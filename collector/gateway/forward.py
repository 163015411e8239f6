"""Forwarding to the provider: headers passed through untouched (credentials included), bodies streamed."""

from __future__ import annotations

import httpx

from douane.contract.events import ErrorClass

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"})
FAILOVER_STATUS = {403: ErrorClass.LOCKOUT_403, 451: ErrorClass.LOCKOUT_451}


def upstream_headers(headers) -> dict[str, str]:
    """The caller's headers minus hop-by-hop and Douane's own (``x-douane-*``)."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-douane-")}


def response_headers(headers: httpx.Headers) -> dict[str, str]:
    """The provider's headers minus hop-by-hop ones (the body is re-framed by our server)."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}


def failure_class(status: int) -> ErrorClass | None:
    """Why an upstream answer counts as a provider failure (lockout or 5xx), or None."""
    if status in FAILOVER_STATUS:
        return FAILOVER_STATUS[status]
    if status >= 500:
        return ErrorClass.UPSTREAM_5XX
    return None
