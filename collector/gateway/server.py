"""The HTTP server's share of the door: headers bounded in size and time before anything reads them.

uvicorn's httptools protocol keeps reading a request head for as long as it comes; this subclass
counts the bytes of each head as they arrive and answers 431 (and closes) once they pass
``max_header_bytes``, and answers 408 (and closes) when a head is not complete within
``header_timeout_s`` of its first byte. Bodies are bounded by the app (``door.py``).

granian (hyper underneath) has both limits built in: its read buffer, while a head is being read,
is capped at ``max_buffer_size`` (hyper answers 431 past it; it refuses a cap below 8 KiB, so that
is the floor there), and ``header_read_timeout`` times a head out. ``granian_http1`` sets them from
the same config, so the limits hold on either server.
"""

from __future__ import annotations

import asyncio

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from collector.gateway.config import GatewayConfig


class BoundedHead(HttpToolsProtocol):
    """httptools with a size and a time limit on each request's head."""

    max_head_bytes = 32 * 1024
    head_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_bytes = 0
        self._in_head = True
        self._head_timer: asyncio.TimerHandle | None = None

    def data_received(self, data: bytes) -> None:
        if self._in_head and self._head_timer is None:
            self._head_timer = self.loop.call_later(self.head_timeout_s, self._head_timed_out)
        counted = self._in_head
        super().data_received(data)
        if counted and self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > self.max_head_bytes:
                self._refuse(431, b"request headers too large")

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._cancel_head_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_timer()
        super().connection_lost(exc)

    def _cancel_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(408, b"request headers not received in time")

    def _refuse(self, status: int, message: bytes) -> None:
        if self.transport.is_closing():
            return
        reason = {408: b"Request Timeout", 431: b"Request Header Fields Too Large"}[status]
        self.transport.write(b"HTTP/1.1 %d %s\r\ncontent-type: text/plain\r\ncontent-length: %d\r\n"
                             b"connection: close\r\n\r\n%s" % (status, reason, len(message), message))
        self.transport.close()
        self._in_head = False


def protocol_for(config: GatewayConfig) -> type[BoundedHead]:
    """A protocol class carrying ``config``'s head limits."""
    return type("GatewayHead", (BoundedHead,), {"max_head_bytes": config.max_header_bytes,
                                                 "head_timeout_s": config.header_timeout_s})


GRANIAN_MIN_BUFFER = 8192  # hyper's floor for its read buffer


def granian_http1(config: GatewayConfig):
    """granian's HTTP/1 settings carrying ``config``'s head limits (size and time)."""
    from granian.http import HTTP1Settings

    return HTTP1Settings(header_read_timeout=int(config.header_timeout_s * 1000),
                         max_buffer_size=max(GRANIAN_MIN_BUFFER, config.max_header_bytes))


def uvicorn_config(app, config: GatewayConfig, host: str, port: int, **extra) -> uvicorn.Config:
    """The uvicorn settings the gateway runs with."""
    return uvicorn.Config(app, host=host, port=port, http=protocol_for(config), access_log=False,
                          **{"log_level": "warning", **extra})
