"""Forwarding to the provider: headers passed through untouched (credentials included), bodies streamed."""

from __future__ import annotations

import httpx


HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length", "accept-encoding"})


def upstream_headers(headers) -> dict[str, str]:
    """The caller's headers minus hop-by-hop and Douane's own (``x-douane-*``)."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-douane-")}


def response_headers(headers: httpx.Headers) -> dict[str, str]:
    """The provider's headers minus hop-by-hop ones (the body is re-framed by our server)."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP | {"content-encoding"}}
