"""OTel ingest: OTLP/HTTP JSON trace exports whose GenAI spans (``gen_ai.*``) become events.

Apps already instrumented with OpenTelemetry's GenAI semantic conventions point a trace
exporter at the gateway's ``/otlp/v1/traces``; each span that describes a model call is
declared like a gateway call (``tap.kind = otel``). The event id is derived from the span's
trace and span ids, so an exporter's retry never makes a second record. Spans that are not
GenAI spans are ignored; GenAI spans that cannot be placed (no server address, unknown
provider) or that are malformed are rejected and counted in OTLP's ``partialSuccess``; an export
whose structure is wrong raises ``ValueError`` (the gateway's 400). Exporters leave message
content out unless told to capture it: such a span is declared with ``personal_data.scan =
not_observed``, which the rules never read as "no personal data". The gateway asks ``ingest`` not to
scan (``scan=False``): it scans the captured texts of the whole export within its detection budget,
off the event loop (``Ingested.texts``, ``Ingested.declare``), as it does for its own calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from pydantic import ValidationError

from collector.declare import draft_event, personal_data, request_text
from collector.provider import Api, failure_class
from douane.contract import AICallEvent, AppContext, PersonalData, Tap
from douane.contract.events import ErrorClass, ScanState, TapKind
from douane.ids import uuid7_for

DEFAULT_HOSTS = {"openai": "api.openai.com", "anthropic": "api.anthropic.com", "mistral_ai": "api.mistral.ai",
                 "gcp.gemini": "generativelanguage.googleapis.com", "cohere": "api.cohere.com",
                 "deepseek": "api.deepseek.com", "x_ai": "api.x.ai", "groq": "api.groq.com",
                 "perplexity": "api.perplexity.ai"}
OPERATION_PATHS = {"chat": ("/v1/chat/completions", Api.OPENAI_CHAT),
                   "text_completion": ("/v1/completions", Api.OPENAI_COMPLETIONS),
                   "embeddings": ("/v1/embeddings", Api.OPENAI_EMBEDDINGS)}
TEXT_ATTRIBUTES = ("gen_ai.input.messages", "gen_ai.system_instructions", "gen_ai.prompt")
MAX_VALUE_DEPTH = 32
"""Attribute values nest (arrayValue, kvlistValue) no deeper than this; deeper ones are rejected."""
SPAN_ERRORS = (ValueError, TypeError, AttributeError, ValidationError, OverflowError, OSError)
"""What a malformed span raises while it is read; it is rejected alone, the rest of the export goes on."""


@dataclass
class Ingested:
    """What one export produced: the events, and the spans rejected with their reasons."""

    events: list[AICallEvent] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    texts: dict[int, str] = field(default_factory=dict, repr=False)
    """Captured content not yet scanned, by index in ``events`` (left by ``ingest(..., scan=False)``)."""

    def add(self, event: AICallEvent, text: str | None, key: bytes, key_id: str, scan: bool) -> None:
        """One declared span: its content scanned now, kept in ``texts`` for a later scan, or not captured."""
        if text is not None and scan:
            event = event.model_copy(update={"personal_data": personal_data(text, key, key_id)})
        elif text is not None:
            self.texts[len(self.events)] = text
        self.events.append(event)

    def declare(self, found: list[PersonalData]) -> None:
        """Put each text's detected personal data (in the order of ``texts``) on its event."""
        for index, data in zip(self.texts, found, strict=True):
            self.events[index] = self.events[index].model_copy(update={"personal_data": data})
        self.texts = {}

    def otlp_response(self) -> dict:
        """The body OTLP/HTTP expects: empty, or a partial success naming what was rejected."""
        if not self.rejected:
            return {}
        return {"partialSuccess": {"rejectedSpans": len(self.rejected), "errorMessage": "; ".join(self.rejected[:5])}}


def ingest(payload: dict, tenant: str, key: bytes, key_id: str, *, scan: bool = True) -> Ingested:
    """Turn one ``ExportTraceServiceRequest`` (JSON) into events; ``ValueError`` names a malformed export.
    With ``scan=False`` the captured texts are left in ``Ingested.texts`` for the caller to scan."""
    result = Ingested()
    if not isinstance(payload, dict) or not isinstance(payload.get("resourceSpans", []), list):
        raise ValueError("an export is an object whose resourceSpans is a list")
    for resource, span in resource_items(payload, "resourceSpans", "scopeSpans", "spans"):
        try:
            attrs = attributes(span.get("attributes"))
            if any(k.startswith("gen_ai.") for k in attrs):
                result.add(*span_event(tenant, resource, span, attrs), key, key_id, scan)
        except SPAN_ERRORS as exc:
            name = str(span.get("name", "?"))[:60]
            result.rejected.append(f"span {name!r}: {_first_line(exc) or type(exc).__name__}")
    return result


def span_event(tenant: str, resource: dict, span: dict, attrs: dict) -> tuple[AICallEvent, str | None]:
    """The event declaring one GenAI span, not yet scanned (``scan = not_observed``), and the captured
    text to scan, or None when the span carries none."""
    provider = str(attrs.get("gen_ai.provider.name") or attrs.get("gen_ai.system") or "")
    host = str(attrs.get("server.address") or DEFAULT_HOSTS.get(provider, ""))
    if not host:
        raise ValueError(f"no server.address and no known host for provider {provider or '(none)'}")
    path, api = _route(provider, str(attrs.get("gen_ai.operation.name", "chat")))
    start_ns, end_ns = _nanos(span.get("startTimeUnixNano")), _nanos(span.get("endTimeUnixNano"))
    service = str(resource.get("service.name") or "otel")
    text = _prompt_text(attrs, span)
    data = PersonalData(scan=ScanState.NOT_OBSERVED)
    body = {"model": attrs.get("gen_ai.request.model")}
    event = draft_event(
        tenant, host, path, body, api, data,
        app=AppContext(platform=_pick(attrs, resource, "douane.platform", "custom"),
                       feature=_pick(attrs, resource, "douane.feature", "unspecified"), name=service[:200]),
        tap=Tap(kind=TapKind.OTEL, name=_slug(service)),
        event_id=uuid7_for(start_ns // 1_000_000, f"{tenant}|{span.get('traceId')}|{span.get('spanId')}".encode()),
        observed_at=datetime.fromtimestamp(start_ns / 1e9, timezone.utc))
    status = attrs.get("http.response.status_code")
    status = int(status) if isinstance(status, int) and 100 <= status <= 599 else None
    outcome = event.outcome.model_copy(update={
        "status": status, "error_class": _error_class(attrs, span, status),
        "latency_ms": round(max(0, end_ns - start_ns) / 1e6, 3) if end_ns else None,
        "prompt_tokens": _tokens(attrs, "gen_ai.usage.input_tokens", "gen_ai.usage.prompt_tokens"),
        "completion_tokens": _tokens(attrs, "gen_ai.usage.output_tokens", "gen_ai.usage.completion_tokens")})
    return event.model_copy(update={"outcome": outcome}), text


def attributes(kvs, depth: int = 0) -> dict:
    """OTLP ``KeyValue`` list → plain dict (intValue comes as a string in OTLP JSON)."""
    if depth > MAX_VALUE_DEPTH:
        raise ValueError(f"attribute values nested deeper than {MAX_VALUE_DEPTH} levels")
    result = {}
    for kv in kvs or ():
        if isinstance(kv, dict) and isinstance(kv.get("key"), str):
            result[kv["key"]] = _value(kv.get("value") or {}, depth + 1)
    return result


def _value(value: dict, depth: int):
    if not isinstance(value, dict):
        raise ValueError("an attribute value must be an AnyValue object")
    if "stringValue" in value:
        return value["stringValue"]
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "arrayValue" in value:
        if depth > MAX_VALUE_DEPTH:
            raise ValueError(f"attribute values nested deeper than {MAX_VALUE_DEPTH} levels")
        return [_value(v, depth + 1) for v in (value["arrayValue"].get("values") or ())]
    if "kvlistValue" in value:
        return attributes(value["kvlistValue"].get("values"), depth + 1)
    return None


def resource_items(payload: dict, groups: str, scopes: str, items: str) -> Iterator[tuple[dict, dict]]:
    """Each item of an export with its resource's attributes: ``resourceSpans/scopeSpans/spans`` for
    traces, ``resourceLogs/scopeLogs/logRecords`` for logs. Items that are not objects are skipped."""
    for group in payload.get(groups) or ():
        if not isinstance(group, dict):
            raise ValueError(f"each {groups} entry must be an object")
        try:
            resource = attributes((group.get("resource") or {}).get("attributes"))
        except SPAN_ERRORS as exc:
            raise ValueError(f"unreadable resource attributes: {_first_line(exc)}") from None
        for scope in _list(group, scopes):
            for item in _list(scope, items) if isinstance(scope, dict) else ():
                if isinstance(item, dict):
                    yield resource, item


def _list(parent: dict, key: str) -> list:
    value = parent.get(key) or []
    if not isinstance(value, list):
        raise ValueError(f"{key} must be a list, not {type(value).__name__}")
    return value


def _route(provider: str, operation: str) -> tuple[str, Api]:
    if provider == "anthropic" and operation == "chat":
        return "/v1/messages", Api.ANTHROPIC_MESSAGES
    if operation in OPERATION_PATHS:
        return OPERATION_PATHS[operation]
    return "/v1/" + "".join(ch for ch in operation if ch.isalnum() or ch in "_-")[:60], Api.PASSTHROUGH


def _prompt_text(attrs: dict, span: dict) -> str | None:
    """Message text from the attributes and ``gen_ai.*`` span events, for detection only; None if none was captured."""
    values = [attrs[name] for name in TEXT_ATTRIBUTES if name in attrs]
    for event in span.get("events") or ():
        if isinstance(event, dict) and str(event.get("name", "")).startswith("gen_ai."):
            event_attrs = attributes(event.get("attributes"))
            values.extend(v for k, v in event_attrs.items() if k in TEXT_ATTRIBUTES or not k.startswith("gen_ai."))
    return request_text(values) if values else None


def _error_class(attrs: dict, span: dict, status: int | None) -> ErrorClass | None:
    failed = failure_class(status) if status is not None else None
    if failed:
        return failed
    error = str(attrs.get("error.type") or "")
    if not error and (span.get("status") or {}).get("code") not in (2, "STATUS_CODE_ERROR"):
        return None
    return ErrorClass.TIMEOUT if "timeout" in error.lower() else ErrorClass.CONNECTION


def _tokens(attrs: dict, *names: str) -> int | None:
    for name in names:
        if isinstance(attrs.get(name), int) and attrs[name] >= 0:
            return attrs[name]
    return None


def _nanos(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("startTimeUnixNano/endTimeUnixNano must be integers") from None


def _pick(attrs: dict, resource: dict, key: str, default: str) -> str:
    return _slug(str(attrs.get(key) or resource.get(key) or default), default)


def _slug(value: str, default: str = "otel") -> str:
    value = "".join(ch if ch.isalnum() or ch in "_.-" else "-" for ch in value.strip().lower())[:64].strip("-._")
    return value or default


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200]
