"""The gateway: an ASGI app that shops point their OpenAI or Anthropic base URL at.

Per request: authenticate the tenant, bound and parse the body, check the upstream against
the registry, detect personal data, judge the call with the tenant's policy, then forward it,
redirect it to the sovereign worker, or block it. The event is handed to the outbox; the
response never waits on Kafka.
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from dataclasses import dataclass, field

import httpx
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from collector.declare import app_context, draft_event, personal_data, request_text
from collector.gateway.config import GatewayConfig, hash_key
from collector.gateway.errors import GatewayError
from collector.gateway.forward import response_headers, upstream_headers
from collector.gateway.guard import check_host
from collector.gateway.redirect import Redirector
from collector.provider import Api, Route, failure_class, route_for
from collector.tap.otel import ingest
from douane.breaker import CircuitBreaker
from douane.contract import AICallEvent, Enforcement, Verdict
from douane.contract.events import Action, ErrorClass
from rules.engine import Engine

logger = logging.getLogger(__name__)

EVENT_ID_HEADER = "x-douane-event-id"


@dataclass
class Call:
    """One request on its way through the gateway."""

    tenant: str
    route: Route
    host: str
    body: dict
    raw: bytes
    event: AICallEvent
    verdict: Verdict
    started: float = field(default_factory=time.perf_counter)


class Metrics:
    """Requests by action and status, and the time the gateway adds before the upstream answers."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("douane_gateway_requests", "requests by action and status", ["action", "status"],
                                registry=self.registry)
        self.refused = Counter("douane_gateway_refused", "refused requests by code", ["code"], registry=self.registry)
        self.spans = Counter("douane_otlp_spans", "GenAI spans from OTLP exports, declared or rejected", ["result"],
                             registry=self.registry)
        self.overhead = Histogram("douane_gateway_overhead_seconds", "auth+parse+detect+judge per request",
                                  registry=self.registry, buckets=(.0005, .001, .002, .005, .01, .025, .05, .1))


class Gateway:
    """Wires config, engines, the outbox and the redirector into a Starlette app (``.app``)."""

    def __init__(self, config: GatewayConfig, engines: dict[str, Engine], outbox, redirector: Redirector) -> None:
        self.config = config
        self.engines = engines
        self.outbox = outbox
        self.redirector = redirector
        self.metrics = Metrics()
        self._keys = {t.key_sha256: t.id for t in config.tenants}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._client = httpx.AsyncClient(timeout=config.upstream_timeout_s, follow_redirects=False)
        self.app = Starlette(routes=[
            StarletteRoute("/healthz", self.healthz), StarletteRoute("/readyz", self.readyz),
            StarletteRoute("/metrics", self.prometheus),
            StarletteRoute("/otlp/v1/traces", self.otlp_traces, methods=["POST"]),
            StarletteRoute("/{path:path}", self.handle, methods=["POST"]),
        ], lifespan=self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app):
        await self.redirector.start()
        try:
            yield
        finally:
            await self._client.aclose()
            await self.redirector.close()

    async def healthz(self, _: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(self, _: Request) -> Response:
        ready = self.redirector.ready
        body = {"ready": ready, "spooled": len(self.outbox.spool), "outbox_backlog": self.outbox.backlog}
        return JSONResponse(body, status_code=200 if ready else 503)

    async def prometheus(self, _: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type="text/plain")

    async def otlp_traces(self, request: Request) -> Response:
        """OTLP/HTTP JSON trace export: GenAI spans become events (``collector/tap/otel.py``)."""
        try:
            tenant = self._tenant(request)
            if not request.headers.get("content-type", "").startswith("application/json"):
                raise GatewayError(415, "unsupported_media_type", "only OTLP/HTTP JSON is accepted; "
                                   "set OTEL_EXPORTER_OTLP_PROTOCOL=http/json")
            payload = _json_object(await self._body(request))
            ingested = ingest(payload, tenant, self.config.content_key.get_secret_value().encode(),
                              self.config.content_key_id)
        except GatewayError as exc:
            self.metrics.refused.labels(exc.code).inc()
            return exc.response()
        except ValueError as exc:
            self.metrics.refused.labels("invalid_otlp").inc()
            return GatewayError(400, "invalid_otlp", f"not an OTLP trace export: {exc}").response()
        for event in ingested.events:
            self.outbox.emit(event)
        self.metrics.spans.labels("declared").inc(len(ingested.events))
        self.metrics.spans.labels("rejected").inc(len(ingested.rejected))
        return JSONResponse(ingested.otlp_response())

    async def handle(self, request: Request) -> Response:
        try:
            call = await self._admit(request)
        except GatewayError as exc:
            self.metrics.refused.labels(exc.code).inc()
            return exc.response()
        response = await self._enforce(call, request)
        response.headers[EVENT_ID_HEADER] = str(call.event.event_id)  # lets a shop quote the call to its DPO
        return response

    async def _enforce(self, call: Call, request: Request) -> Response:
        enforcement = call.verdict.enforcement
        if enforcement is Enforcement.BLOCK:
            return self._block(call)
        try:
            if enforcement is Enforcement.REDIRECT:
                return await self._redirect(call, Action.REDIRECTED, None)
            return await self._forward(call, request)
        except GatewayError as exc:
            self._emit(call, Action.BLOCKED, exc.status, None, 0)
            return exc.response()

    async def _admit(self, request: Request) -> Call:
        started = time.perf_counter()
        tenant = self._tenant(request)
        route = route_for(request.url.path)
        if route is None:
            raise GatewayError(404, "unknown_route", f"{request.url.path} is not an API Douane relays")
        raw = await self._body(request)
        body = _json_object(raw)
        engine = self.engines[tenant]
        host = self._host(request, route, engine)
        data = personal_data(request_text(body), self.config.content_key.get_secret_value().encode(),
                             self.config.content_key_id)
        event = draft_event(tenant, host, route.path, body, route.api, data, app=app_context(request.headers))
        verdict = engine.evaluate(event)
        self.metrics.overhead.observe(time.perf_counter() - started)
        return Call(tenant, route, host, body, raw, event, verdict, started)

    def _tenant(self, request: Request) -> str:
        key = request.headers.get("x-douane-key")
        if not key:
            raise GatewayError(401, "missing_douane_key", "send your Douane tenant key in the X-Douane-Key header")
        tenant = self._keys.get(hash_key(key))  # a lookup by hash reveals nothing about the stored keys
        if tenant is not None:
            return tenant
        raise GatewayError(401, "invalid_douane_key", "the X-Douane-Key is not a known tenant key")

    async def _body(self, request: Request) -> bytes:
        if sum(len(k) + len(v) for k, v in request.headers.items()) > self.config.max_header_bytes:
            raise GatewayError(431, "headers_too_large", f"headers exceed {self.config.max_header_bytes} bytes")
        declared = request.headers.get("content-length")
        limit = self.config.max_body_bytes
        if declared and declared.isdigit() and int(declared) > limit:
            raise GatewayError(413, "body_too_large", f"body of {declared} bytes exceeds the {limit}-byte limit")
        raw = bytearray()
        async for chunk in request.stream():
            raw += chunk
            if len(raw) > limit:
                raise GatewayError(413, "body_too_large", f"body exceeds the {limit}-byte limit")
        return bytes(raw)

    def _host(self, request: Request, route: Route, engine: Engine) -> str:
        host = request.headers.get("x-douane-upstream") or route.default_host
        if not host:
            raise GatewayError(400, "missing_upstream", "name the provider host in the X-Douane-Upstream header")
        listed = host.lower() in self.config.upstreams or host.lower() in self.config.allow_hosts
        resolution = engine.resolver.resolve_parts(host.lower().strip(), "", (), None)
        return check_host(host, registered=resolution.provider is not None, listed=listed)

    def _block(self, call: Call) -> Response:
        rule = call.verdict.findings[0].rule_id if call.verdict.findings else "policy"
        self._emit(call, Action.BLOCKED, 403, None, 0)
        return GatewayError(403, "blocked_by_policy", f"this call may not leave the jurisdiction "
                                                      f"({call.verdict.decision.value}, rule {rule})").response()

    async def _redirect(self, call: Call, action: Action, error: ErrorClass | None) -> Response:
        stream = bool(call.body.get("stream"))
        policy = self.engines[call.tenant].policy
        answer = await self.redirector.answer(call.route.api, call.tenant, call.event.event_id, call.body,
                                              policy.fallback_answer, self.config.redirect_timeout_s)
        self._emit(call, action, 200, error, len(answer.text))
        if stream:
            return StreamingResponse(self.redirector.events(call.route.api, answer), media_type="text/event-stream")
        return JSONResponse(self.redirector.body(call.route.api, answer))

    async def _forward(self, call: Call, request: Request) -> Response:
        breaker = self._breakers.setdefault(call.host, CircuitBreaker(self.config.breaker_failures,
                                                                      self.config.breaker_reset_s))
        if not breaker.allow():
            return await self._redirect(call, Action.FAILED_OVER, ErrorClass.CONNECTION)
        url = self.config.upstreams.get(call.host, f"https://{call.host}") + call.route.path
        if request.url.query:
            url += "?" + request.url.query
        upstream = self._client.build_request("POST", url, headers=upstream_headers(request.headers), content=call.raw)
        try:
            response = await self._client.send(upstream, stream=True)
        except httpx.TimeoutException:
            breaker.record_failure()
            return await self._redirect(call, Action.FAILED_OVER, ErrorClass.TIMEOUT)
        except httpx.HTTPError:
            breaker.record_failure()
            return await self._redirect(call, Action.FAILED_OVER, ErrorClass.CONNECTION)
        failed = failure_class(response.status_code)
        if failed is not None:
            await response.aclose()
            breaker.record_failure()
            return await self._redirect(call, Action.FAILED_OVER, failed)
        breaker.record_success()
        return StreamingResponse(self._relay(call, response), status_code=response.status_code,
                                 headers=response_headers(response.headers))

    async def _relay(self, call: Call, response: httpx.Response):
        sent = 0
        try:
            async for chunk in response.aiter_raw():
                sent += len(chunk)
                yield chunk
        finally:
            await response.aclose()
            self._emit(call, Action.FORWARDED, response.status_code, None, sent)

    def _emit(self, call: Call, action: Action, status: int, error: ErrorClass | None, response_bytes: int) -> None:
        outcome = call.event.outcome.model_copy(update={
            "action": action, "status": status, "error_class": error, "verdict": call.verdict,
            "latency_ms": round((time.perf_counter() - call.started) * 1000, 3),
            "request_bytes": len(call.raw), "response_bytes": response_bytes})
        self.outbox.emit(call.event.model_copy(update={"outcome": outcome}))
        self.metrics.requests.labels(action.value, str(status)).inc()


def _json_object(raw: bytes) -> dict:
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise GatewayError(400, "invalid_json", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise GatewayError(400, "invalid_json", "the request body must be a JSON object")
    return body
