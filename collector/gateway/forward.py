"""Forwarding to the provider: headers passed through untouched (credentials included), bodies streamed.

Compression is end to end: the caller's Accept-Encoding goes to the provider (``identity`` when it
sent none, so an HTTP client's own default never asks for bytes the caller cannot read), and the
answer's bytes come back as they were sent, with their Content-Encoding."""

from __future__ import annotations

import httpx


HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "transfer-encoding", "upgrade", "host", "content-length"})


def upstream_headers(headers) -> dict[str, str]:
    """The caller's headers minus hop-by-hop and Douane's own (``x-douane-*``)."""
    kept = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP and not k.lower().startswith("x-douane-")}
    if not any(k.lower() == "accept-encoding" for k in kept):
        kept["accept-encoding"] = "identity"
    return kept


def response_headers(headers: httpx.Headers) -> dict[str, str]:
    """The provider's headers minus hop-by-hop ones (the body is re-framed by our server)."""
    return {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
