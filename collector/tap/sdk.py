"""The SDK tap: apps that call providers directly declare each call through an httpx transport.

The official ``openai`` and ``anthropic`` clients take an ``http_client``; the tap gives them
one whose transport declares every AI call (the same ``AICallEvent`` the gateway emits, with
``tap.kind = sdk``) and then lets it go on unchanged. It observes, never blocks: enforcement is
the gateway's job. Calls that fail (timeouts, refused connections) are declared too, with their
error class, because NIS2 incident rules count them. A body the tap cannot read (compressed,
multipart, binary) is declared with ``personal_data.scan = not_observed``, never as clean.
"""

from __future__ import annotations

import importlib
import inspect
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

import httpx

from collector.declare import consent_ref, draft_event, personal_data, request_text
from collector.provider import Route, failure_class, route_for
from douane.contract import AICallEvent, AppContext, PersonalData, Tap
from douane.contract.events import ErrorClass, ScanState, TapKind

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SdkTap:
    """Declares an app's direct provider calls; ``emit`` is usually an ``Outbox.emit``."""

    tenant: str
    emit: Callable[[AICallEvent], None]
    content_key: bytes
    content_key_id: str = "k1"
    platform: str = "custom"
    feature: str = "unspecified"
    name: str = "sdk"

    def httpx_client(self, http: ModuleType = httpx, **kwargs):
        """An ``httpx.Client`` whose calls are declared (pass it as ``http_client=``).

        ``http`` is the httpx module the caller's SDK is built on (``httpx``, or its fork ``httpx2``
        that newer ``anthropic`` releases use); the other arguments go to its ``Client``.
        """
        inner = kwargs.pop("transport", None) or http.HTTPTransport()
        return http.Client(transport=TappedTransport(self, inner, http), **kwargs)

    def async_httpx_client(self, http: ModuleType = httpx, **kwargs):
        """The ``AsyncClient`` counterpart of ``httpx_client``."""
        inner = kwargs.pop("transport", None) or http.AsyncHTTPTransport()
        return http.AsyncClient(transport=AsyncTappedTransport(self, inner, http), **kwargs)

    def wrap(self, sdk_client, **httpx_kwargs):
        """A copy of an ``openai``/``anthropic`` client (sync or async) whose calls are declared.

        Uses the SDKs' public ``with_options(http_client=...)``; which httpx module to build the
        client from is read off the SDK's current client. ``httpx_kwargs`` go to the new client.
        """
        http = _httpx_module_of(sdk_client)
        is_async = inspect.iscoroutinefunction(getattr(sdk_client, "close", None))
        make = self.async_httpx_client if is_async else self.httpx_client
        return sdk_client.with_options(http_client=make(http, **httpx_kwargs))

    def observe(self, request, http: ModuleType) -> Sent | NotAnAiCall:
        """Note what a request carries before it leaves (inner transports may rewrite it)."""
        route = route_for(request.url.path)
        if route is None:
            return NOT_AN_AI_CALL
        return Sent(self, http, request.url.host, route, request.read(), time.perf_counter(), _consent(request))

    def declare(self, sent: Sent, status: int | None, error: ErrorClass | None, response_bytes: int | None) -> None:
        """Emit the event for one finished (or failed) call."""
        body = _json_object(sent.content)
        if sent.content and body is None:  # compressed, multipart or binary: the tap could not read it
            body, data = {}, PersonalData(scan=ScanState.NOT_OBSERVED)
        else:
            data = personal_data(request_text(body or {}), self.content_key, self.content_key_id)
        event = draft_event(self.tenant, sent.host, sent.route.path, body, sent.route.api, data,
                            app=AppContext(platform=self.platform, feature=self.feature),
                            tap=Tap(kind=TapKind.SDK, name=self.name), consent=sent.consent)
        outcome = event.outcome.model_copy(update={
            "status": status, "error_class": error, "request_bytes": len(sent.content),
            "response_bytes": response_bytes, "latency_ms": round((time.perf_counter() - sent.started) * 1000, 3)})
        try:
            self.emit(event.model_copy(update={"outcome": outcome}))
        except Exception:  # noqa: BLE001 - the app's call must never fail because of the tap
            logger.exception("the SDK tap could not emit an event for %s", sent.host)


@dataclass(frozen=True)
class Sent:
    """An AI call on its way: where it goes and what it carries, noted when it left."""

    tap: SdkTap
    http: ModuleType
    host: str
    route: Route
    content: bytes
    started: float
    consent: str | None = None

    def answered(self, response) -> None:
        """Declare the call with the provider's answer."""
        self.tap.declare(self, response.status_code, failure_class(response.status_code), _length(response))

    def failed(self, exc: Exception) -> None:
        """Declare the call that got no answer (timeout, refused connection)."""
        self.tap.declare(self, None, _error_of(exc, self.http), None)


class NotAnAiCall:
    """What ``observe`` returns for other requests (health checks, the shop's own APIs): nothing to declare."""

    def answered(self, response) -> None:
        """Nothing to declare."""

    def failed(self, exc: Exception) -> None:
        """Nothing to declare."""


NOT_AN_AI_CALL = NotAnAiCall()


class _Tapped:
    """What both transports hold: the tap, the transport they wrap, and that transport's httpx module."""

    def __init__(self, tap: SdkTap, inner, http: ModuleType = httpx) -> None:
        self.tap = tap
        self.inner = inner
        self.http = http


class TappedTransport(_Tapped):
    """Wraps a transport: every request goes on unchanged and is declared once it is answered."""

    def handle_request(self, request):
        sent = self.tap.observe(request, self.http)
        try:
            response = self.inner.handle_request(request)
        except self.http.HTTPError as exc:
            sent.failed(exc)
            raise
        sent.answered(response)
        return response

    def close(self) -> None:
        self.inner.close()

    def __enter__(self):
        self.inner.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.inner.__exit__(*exc)


class AsyncTappedTransport(_Tapped):
    """The async counterpart of ``TappedTransport``."""

    async def handle_async_request(self, request):
        await request.aread()  # a streamed body is read once here; the inner transport replays it
        sent = self.tap.observe(request, self.http)
        try:
            response = await self.inner.handle_async_request(request)
        except self.http.HTTPError as exc:
            sent.failed(exc)
            raise
        sent.answered(response)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()

    async def __aenter__(self):
        await self.inner.__aenter__()
        return self

    async def __aexit__(self, *exc) -> None:
        await self.inner.__aexit__(*exc)


def _error_of(exc: Exception, http: ModuleType) -> ErrorClass:
    return ErrorClass.TIMEOUT if isinstance(exc, http.TimeoutException) else ErrorClass.CONNECTION


def _httpx_module_of(sdk_client) -> ModuleType:
    """``httpx`` or ``httpx2``: the module whose ``Client`` the SDK client holds."""
    current = getattr(sdk_client, "_client", None)
    for cls in type(current).__mro__:
        root = cls.__module__.split(".")[0]
        if root in ("httpx", "httpx2"):
            return importlib.import_module(root)
    return httpx


def _length(response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.isdigit() else None


def _json_object(raw: bytes) -> dict | None:
    """The JSON object a request carries; None when the body is not one (compressed, multipart, binary)."""
    try:
        body = json.loads(raw) if raw else {}
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    return body if isinstance(body, dict) else None


def _consent(request) -> str | None:
    """The consent reference the app put on the call (``extra_headers={"X-Douane-Consent": ...}``), if well formed."""
    try:
        return consent_ref(request.headers)
    except ValueError:
        logger.warning("an SDK call carried a malformed X-Douane-Consent header; it is not recorded")
        return None
