"""The gateway: an ASGI app that shops point their OpenAI or Anthropic base URL at.

Per request: authenticate the tenant, read and check the body at the door (``door.py``), check the
upstream against the registry, detect personal data within a budget (``scan.py``), judge the call
with the tenant's policy, then forward it (``relay.py``), redirect it to the sovereign path
(``redirect.py``), or block it. The call's event is fsynced to the outbox's spool before the caller
has its answer; Kafka is never waited on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import traceback
from dataclasses import dataclass, field

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route as StarletteRoute

from collector.declare import app_context, consent_ref, draft_event, request_text
from collector.gateway.config import GatewayConfig, hash_key
from collector.gateway.gauges import breaker_families, outbox_families
from collector.gateway.door import check_shapes, json_object, read_body
from collector.gateway.errors import GatewayError
from collector.gateway.forward import response_headers
from collector.gateway.guard import check_host
from collector.gateway.redirect import Redirector
from collector.gateway.relay import Upstreams, relay
from collector.gateway.scan import Scanner
from collector.provider import Route, route_for
from collector.tap.otel import Ingested, ingest
from collector.tap.otel_logs import ingest_logs
from collector.tap.otlp_proto import export_response, read_export
from douane.contract import AICallEvent, Enforcement, Verdict
from douane.contract.events import Action, ErrorClass, ScanState
from douane.metrics import ReadAtScrape
from rules.engine import Engine

logger = logging.getLogger(__name__)

EVENT_ID_HEADER = "x-douane-event-id"
SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


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
    enforcement: Enforcement
    started: float = field(default_factory=time.perf_counter)
    action: Action | None = None


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
    """Wires config, engines, the outbox, the scanner, the upstreams and the redirector into ``.app``."""

    def __init__(self, config: GatewayConfig, engines: dict[str, Engine], outbox, redirector: Redirector) -> None:
        self.config = config
        self.engines = engines
        self.outbox = outbox
        self.redirector = redirector
        self.metrics = Metrics()
        self._keys = {t.key_sha256: t.id for t in config.tenants}
        self.upstreams = Upstreams(config.upstreams, config.upstream_timeout_s, config.breaker_failures,
                                   config.breaker_reset_s)
        self.metrics.registry.register(ReadAtScrape(lambda: [*outbox_families(outbox),
                                                             *breaker_families(self.upstreams)]))
        self.scanner = Scanner(config.content_key.get_secret_value().encode(), config.content_key_id,
                               workers=config.scan_workers, timeout_s=config.scan_timeout_s,
                               max_chars=config.scan_max_chars, inline_chars=config.scan_inline_chars)
        self.app = Starlette(routes=[
            StarletteRoute("/healthz", self.healthz), StarletteRoute("/readyz", self.readyz),
            StarletteRoute("/metrics", self.prometheus),
            StarletteRoute("/otlp/v1/traces", self.otlp_traces, methods=["POST"]),
            StarletteRoute("/otlp/v1/logs", self.otlp_logs, methods=["POST"]),
            StarletteRoute("/{path:path}", self.handle, methods=["POST"]),
        ], lifespan=self._lifespan)

    @contextlib.asynccontextmanager
    async def _lifespan(self, _app):
        await self.scanner.start()
        await self.redirector.start()
        try:
            yield
        finally:
            await self.upstreams.close()
            await self.redirector.close()
            await self.scanner.close()

    async def healthz(self, _: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(self, _: Request) -> Response:
        """503 only when calls cannot be served (the spool cannot be written); 200 "degraded" with the
        reasons while Kafka is away (calls are answered and their events wait in the spool)."""
        reasons = [r for r, down in (("spool_unwritable", self.outbox.wal.failed is not None),
                                     ("kafka_unreachable", not self.outbox.connected),
                                     ("redirect_topic_unavailable", not self.redirector.ready)) if down]
        status = "not_ready" if "spool_unwritable" in reasons else ("degraded" if reasons else "ready")
        body = {"ready": status != "not_ready", "status": status, "reasons": reasons,
                "spooled": self.outbox.spooled}
        return JSONResponse(body, status_code=503 if status == "not_ready" else 200)

    async def prometheus(self, _: Request) -> Response:
        return Response(generate_latest(self.metrics.registry), media_type="text/plain")

    async def otlp_traces(self, request: Request) -> Response:
        """OTLP/HTTP trace export, protobuf or JSON: GenAI spans become events (``collector/tap/otel.py``)."""
        return await self._otlp(request, "traces")

    async def otlp_logs(self, request: Request) -> Response:
        """OTLP/HTTP logs export: GenAI operation events sent as log records (``collector/tap/otel_logs.py``)."""
        return await self._otlp(request, "logs")

    async def _otlp(self, request: Request, signal: str) -> Response:
        """An export is read and turned into events in a thread and its texts are scanned within one
        detection budget, so a large export holds the event loop no longer than a call does."""
        content_type = request.headers.get("content-type", "")
        try:
            tenant = self._tenant(request)
            raw = await self._body(request)
            ingested = await asyncio.to_thread(self._ingest, raw, content_type, signal, tenant)
        except GatewayError as exc:
            self.metrics.refused.labels(exc.code).inc()
            return exc.response()
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            self.metrics.refused.labels("invalid_otlp").inc()
            _log_failure("an OTLP export was refused", exc)
            return GatewayError(400, "invalid_otlp", f"not an OTLP/HTTP {signal} export (protobuf or JSON)").response()
        found = await self.scanner.personal_data_all(list(ingested.texts.values()))
        durable = await asyncio.to_thread(self._declare, ingested, found)
        await asyncio.gather(*(asyncio.wrap_future(future) for future in durable))
        self.metrics.spans.labels("declared").inc(len(ingested.events))
        self.metrics.spans.labels("rejected").inc(len(ingested.rejected))
        body, media_type = export_response(ingested.otlp_response(), content_type, signal)
        return Response(body, media_type=media_type)

    def _ingest(self, raw: bytes, content_type: str, signal: str, tenant: str) -> Ingested:
        """The export's events, their captured texts not yet scanned (runs in a thread)."""
        read = ingest if signal == "traces" else ingest_logs
        return read(read_export(raw, content_type, signal), tenant, self.scanner.key, self.scanner.key_id, scan=False)

    def _declare(self, ingested: Ingested, found: list) -> list:
        """Put the detected personal data on the export's events and hand them to the outbox (runs in a thread)."""
        ingested.declare(found)
        return [self.outbox.emit(event) for event in ingested.events]

    async def handle(self, request: Request) -> Response:
        try:
            call = await self._admit(request)
        except GatewayError as exc:
            self.metrics.refused.labels(exc.code).inc()
            return exc.response()
        except Exception as exc:  # noqa: BLE001 - a bug must not answer with a traceback or log the input
            _log_failure("a request could not be admitted", exc)
            return GatewayError(500, "internal_error", "Douane could not judge this call").response()
        response = await self._enforce(call, request)
        response.headers[EVENT_ID_HEADER] = str(call.event.event_id)  # lets a shop quote the call to its DPO
        response.headers["x-douane-action"] = (call.action or Action.BLOCKED).value
        response.headers["x-douane-decision"] = call.verdict.decision.value
        return response

    async def _enforce(self, call: Call, request: Request) -> Response:
        try:
            if call.enforcement is Enforcement.BLOCK:
                return await self._block(call)
            if call.enforcement is Enforcement.REDIRECT:
                return await self._redirect(call, Action.REDIRECTED, None)
            return await self._forward(call, request)
        except GatewayError as exc:
            with contextlib.suppress(GatewayError):
                await self._emit(call, call.action or Action.BLOCKED, exc.status, None, 0)
            return exc.response()
        except Exception as exc:  # noqa: BLE001
            _log_failure("a call could not be completed", exc)
            with contextlib.suppress(GatewayError):
                await self._emit(call, Action.BLOCKED, 500, ErrorClass.INTERNAL, 0)
            return GatewayError(500, "internal_error", "Douane could not complete this call").response()

    async def _admit(self, request: Request) -> Call:
        started = time.perf_counter()
        tenant = self._tenant(request)
        route = route_for(request.url.path)
        if route is None:
            raise GatewayError(404, "unknown_route", "this path is not an API Douane relays")
        raw = await self._body(request)
        body = check_shapes(json_object(raw))
        engine = self.engines[tenant]
        host = self._host(request, route, engine)
        data = await self.scanner.personal_data(request_text(body))
        event = draft_event(tenant, host, route.path, body, route.api, data, app=app_context(request.headers),
                            consent=self._consent(request))
        verdict = engine.evaluate(event)
        self.metrics.overhead.observe(time.perf_counter() - started)
        return Call(tenant, route, host, body, raw, event, verdict, self._enforcement(verdict, data.scan, engine),
                    started)

    @staticmethod
    def _enforcement(verdict: Verdict, scan: ScanState, engine: Engine) -> Enforcement:
        """The verdict's enforcement; when detection ran out of budget and the policy fails closed, the
        call goes to the sovereign path instead (the unseen text may hold anything, Art. 9 data included)."""
        modes = engine.policy.fail_mode
        closed = "closed" in (modes.default, modes.special_category)
        if scan is ScanState.BUDGET_EXCEEDED and closed and verdict.enforcement not in (Enforcement.BLOCK,
                                                                                         Enforcement.REDIRECT):
            return Enforcement.REDIRECT
        return verdict.enforcement

    def _tenant(self, request: Request) -> str:
        key = request.headers.get("x-douane-key")
        if not key:
            raise GatewayError(401, "missing_douane_key", "send your Douane tenant key in the X-Douane-Key header")
        tenant = self._keys.get(hash_key(key))  # a lookup by hash reveals nothing about the stored keys
        if tenant is not None:
            return tenant
        raise GatewayError(401, "invalid_douane_key", "the X-Douane-Key is not a known tenant key")

    @staticmethod
    def _consent(request: Request) -> str | None:
        try:
            return consent_ref(request.headers)
        except ValueError as exc:
            raise GatewayError(400, "invalid_consent_ref", str(exc)) from None

    async def _body(self, request: Request) -> bytes:
        if sum(len(k) + len(v) for k, v in request.headers.items()) > self.config.max_header_bytes:
            raise GatewayError(431, "headers_too_large", f"headers exceed {self.config.max_header_bytes} bytes")
        return await read_body(request, self.config.max_body_bytes, self.config.body_timeout_s)

    def _host(self, request: Request, route: Route, engine: Engine) -> str:
        host = request.headers.get("x-douane-upstream") or route.default_host
        if not host:
            raise GatewayError(400, "missing_upstream", "name the provider host in the X-Douane-Upstream header")
        listed = host.lower() in self.config.upstreams or host.lower() in self.config.allow_hosts
        resolution = engine.resolver.resolve_parts(host.lower().strip(), "", (), None)
        return check_host(host, registered=resolution.provider is not None, listed=listed)

    async def _block(self, call: Call) -> Response:
        rule = blocking_rule(call.verdict)
        await self._emit(call, Action.BLOCKED, 403, None, 0)
        error = GatewayError(403, "blocked_by_policy", f"this call may not leave the jurisdiction "
                                                       f"({call.verdict.decision.value}, rule {rule})").response()
        error.headers["x-douane-rule"] = rule
        return error

    async def _redirect(self, call: Call, action: Action, error: ErrorClass | None) -> Response:
        policy = self.engines[call.tenant].policy
        answer = await self.redirector.answer(call.route.api, call.tenant, call.event.event_id, call.body,
                                              policy.fallback_answer, self.config.redirect_timeout_s)
        await self._emit(call, action, 200, error, len(answer.text), route=answer.route)
        if bool(call.body.get("stream")):
            return StreamingResponse(self.redirector.events(call.route.api, answer), media_type="text/event-stream")
        return JSONResponse(self.redirector.body(call.route.api, answer))

    async def _forward(self, call: Call, request: Request) -> Response:
        sent = await self.upstreams.send(call.tenant, call.host, call.route.path, request.url.query,
                                         request.headers, call.raw)
        if sent.failed is not None:
            return await self._redirect(call, Action.FAILED_OVER, sent.failed)
        response = sent.response
        headers = response_headers(response.headers)
        if sent.body is not None:  # a tenant's own 403, read whole: relayed as it came
            await self._emit(call, Action.FORWARDED, response.status_code, ErrorClass.CLIENT_4XX, len(sent.body))
            return Response(sent.body, status_code=response.status_code, headers=headers)
        call.action = Action.FORWARDED

        async def done(size: int, error: ErrorClass | None, complete: bool) -> None:
            await self._emit(call, Action.FORWARDED, response.status_code, error, size, wait=complete)

        return StreamingResponse(relay(response, self.config.stream_timeout_s, done),
                                 status_code=response.status_code, headers=headers)

    async def _emit(self, call: Call, action: Action, status: int, error: ErrorClass | None, response_bytes: int,
                    *, route=None, wait: bool = True) -> None:
        """Hand the event to the outbox and, unless told otherwise, wait until it is on disk."""
        call.action = action
        outcome = call.event.outcome.model_copy(update={
            "action": action, "status": status, "error_class": error, "verdict": call.verdict,
            "latency_ms": round((time.perf_counter() - call.started) * 1000, 3), "redirect_route": route,
            "request_bytes": len(call.raw), "response_bytes": response_bytes})
        durable = self.outbox.emit(call.event.model_copy(update={"outcome": outcome}))
        self.metrics.requests.labels(action.value, str(status)).inc()
        if wait:
            try:
                await asyncio.wrap_future(durable)
            except OSError:
                raise GatewayError(503, "event_not_durable", "Douane cannot record this call right now (its "
                                                             "spool is not writable); try again") from None


def blocking_rule(verdict: Verdict) -> str:
    """The rule behind a block: the most severe finding (the enforcement rules match on severity)."""
    if not verdict.findings:
        return "policy"
    ranked = max(verdict.findings, key=lambda f: SEVERITY_ORDER.index(f.severity.value)
                 if f.severity.value in SEVERITY_ORDER else -1)
    return ranked.rule_id


def _log_failure(what: str, exc: BaseException) -> None:
    """Where it failed and of what kind, never the message (it may quote the request's content)."""
    frames = traceback.extract_tb(exc.__traceback__)[-3:]
    where = " <- ".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(frames))
    logger.error("%s: %s at %s", what, type(exc).__name__, where)
