"""Forwarding to the provider: one breaker per (tenant, provider host), redirects never relayed,
compressed answers relayed with their Content-Encoding, streamed answers cut at a total time limit."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx

from collector.gateway.errors import GatewayError
from collector.gateway.forward import upstream_headers
from collector.provider import lockout_class
from douane.breaker import CircuitBreaker
from douane.contract.events import ErrorClass

ERROR_BODY_LIMIT = 64 * 1024  # a 403's body is read to tell a region lockout from a revoked key


@dataclass
class Sent:
    """The upstream's answer, ready to relay (``response``), or why the call fails over (``failed``)."""

    response: httpx.Response | None = None
    failed: ErrorClass | None = None
    body: bytes | None = None  # an answer already read whole (a tenant's own 403)


class Upstreams:
    """The HTTP client to the providers and their breakers."""

    def __init__(self, upstreams: dict[str, str], timeout_s: float, failures: int, reset_s: float) -> None:
        self.upstreams = upstreams
        self.failures, self.reset_s = failures, reset_s
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}
        self._client = httpx.AsyncClient(timeout=timeout_s, follow_redirects=False)

    def breakers(self) -> dict[tuple[str, str], CircuitBreaker]:
        """Every breaker so far, by (tenant, provider host)."""
        return dict(self._breakers)

    def breaker(self, tenant: str, host: str) -> CircuitBreaker:
        """One tenant's failures (a revoked key, its own lockout) never open another tenant's breaker."""
        return self._breakers.setdefault((tenant, host), CircuitBreaker(self.failures, self.reset_s))

    async def send(self, tenant: str, host: str, path: str, query: str, headers, raw: bytes) -> Sent:
        """Send the call; a failure that should fail over comes back as ``Sent(failed=...)``."""
        breaker = self.breaker(tenant, host)
        if not breaker.allow():
            return Sent(failed=ErrorClass.CONNECTION)
        url = self.upstreams.get(host, f"https://{host}") + path + (f"?{query}" if query else "")
        request = self._client.build_request("POST", url, headers=upstream_headers(headers), content=raw)
        try:
            response = await self._client.send(request, stream=True)
        except httpx.TimeoutException:
            breaker.record_failure()
            return Sent(failed=ErrorClass.TIMEOUT)
        except httpx.HTTPError:
            breaker.record_failure()
            return Sent(failed=ErrorClass.CONNECTION)
        return await self._judge(response, breaker)

    async def _judge(self, response: httpx.Response, breaker: CircuitBreaker) -> Sent:
        status = response.status_code
        if 300 <= status < 400:
            await response.aclose()
            raise GatewayError(502, "upstream_redirect", f"the provider answered {status} (a redirect); Douane "
                                                         "never relays or follows one: the call would leave for "
                                                         "another host with your prompt and keys")
        if status == 403 or status == 451 or status >= 500:
            body = await _read_bounded(response)
            failed = lockout_class(status, body)
            if failed is not None:
                breaker.record_failure()
                return Sent(failed=failed)
            return Sent(response=response, body=body)  # the tenant's own 403: relayed as it came
        breaker.record_success()
        return Sent(response=response)

    async def close(self) -> None:
        """Release the connections."""
        await self._client.aclose()


async def _read_bounded(response: httpx.Response) -> bytes:
    body = bytearray()
    try:
        async for chunk in response.aiter_raw():
            body += chunk
            if len(body) >= ERROR_BODY_LIMIT:
                break
    finally:
        await response.aclose()
    return bytes(body)


async def relay(response: httpx.Response, deadline_s: float,
                done: Callable[[int, ErrorClass | None, bool], Awaitable[None]]) -> AsyncIterator[bytes]:
    """The upstream's bytes as they come (still compressed, if they were), holding the last chunk back
    until ``done(bytes, error, complete)`` has made the call's event durable: an answer the caller
    has in full is always on disk. A stream past ``deadline_s`` seconds is cut (error ``timeout``)."""
    started, sent, held, finished = time.monotonic(), 0, None, False
    try:
        async for chunk in response.aiter_raw():
            if held is not None:
                yield held
            held, sent = chunk, sent + len(chunk)
            if time.monotonic() - started > deadline_s:
                finished = True
                await done(sent, ErrorClass.TIMEOUT, True)
                return
        finished = True
        await done(sent, None, True)
        if held is not None:
            yield held
    finally:
        await response.aclose()
        if not finished:  # the caller went away or the upstream broke off: declared, not waited for
            await done(sent, ErrorClass.CONNECTION, False)
