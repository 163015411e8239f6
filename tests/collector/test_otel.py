"""OTel ingest: an OTLP/HTTP JSON export of GenAI spans becomes events on the real broker."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest

from kafka import KafkaConsumer

from collector.tap.otel import ingest
from douane.contract import TOPICS, decode_event
from douane.contract.events import ErrorClass, TapKind
from tests.collector.conftest import TENANT_KEY, Running

pytestmark = pytest.mark.kafka


def kv(key: str, value) -> dict:
    if isinstance(value, bool):
        return {"key": key, "value": {"boolValue": value}}
    if isinstance(value, int):
        return {"key": key, "value": {"intValue": str(value)}}
    return {"key": key, "value": {"stringValue": value}}


def span(name: str, attrs: dict, *, status_code: int = 1, events: list | None = None) -> dict:
    start = time.time_ns()
    return {"traceId": uuid.uuid4().hex, "spanId": uuid.uuid4().hex[:16], "name": name,
            "startTimeUnixNano": str(start), "endTimeUnixNano": str(start + 420_000_000),
            "attributes": [kv(k, v) for k, v in attrs.items()], "status": {"code": status_code},
            "events": events or []}


def export(*spans: dict, service: str = "magento-support") -> dict:
    resource = {"attributes": [kv("service.name", service), kv("douane.platform", "magento")]}
    return {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "openai"}, "spans": list(spans)}]}]}


CHAT = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
        "server.address": "api.openai.com", "gen_ai.usage.input_tokens": 31, "gen_ai.usage.output_tokens": 12,
        "douane.feature": "support_chat"}


def test_genai_spans_become_events_once_even_when_the_export_is_retried(running: Running, kafka_bootstrap) -> None:
    marker = uuid.uuid4().hex
    messages = f'[{{"role":"user","parts":[{{"type":"text","content":"Ich bin Diabetiker, Mail a.b@example.de {marker}"}}]}}]'
    chat = span("chat gpt-4o", {**CHAT, "gen_ai.input.messages": messages})
    lockout = span("chat claude", {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                                   "gen_ai.request.model": "claude-sonnet-4", "http.response.status_code": 451,
                                   "error.type": "451"}, status_code=2,
                   events=[{"name": "gen_ai.user.message", "attributes": [kv("content", f"Hallo {marker}")]}])
    plain_http = span("GET /cart", {"http.request.method": "GET"})
    body = export(chat, lockout, plain_http)
    headers = {"X-Douane-Key": TENANT_KEY}
    for _ in range(2):  # an exporter retry sends the same spans again
        answer = httpx.post(running.url + "/otlp/v1/traces", json=body, headers=headers, timeout=10)
        assert answer.status_code == 200 and answer.json() == {}

    expected = {str(e.event_id) for e in ingest(body, "shop-berlin", b"douane-dev-key", "k1").events}
    assert len(expected) == 2  # the plain HTTP span is not an AI call
    found = _events_by_id(kafka_bootstrap, expected, expect=4)
    assert len(found) == 2  # the retry carried the same ids: the store keeps one row each
    by_host = {e.destination.host: e for e in found.values()}
    openai_call = by_host["api.openai.com"]
    assert openai_call.tap.kind is TapKind.OTEL and openai_call.tap.name == "magento-support"
    assert (openai_call.app.platform, openai_call.app.feature) == ("magento", "support_chat")
    assert openai_call.personal_data.special_category
    assert "user.contact.email" in openai_call.personal_data.category_keys
    assert (openai_call.outcome.prompt_tokens, openai_call.outcome.completion_tokens) == (31, 12)
    assert openai_call.outcome.latency_ms == 420.0
    claude = by_host["api.anthropic.com"]
    assert claude.destination.path == "/v1/messages"
    assert (claude.outcome.status, claude.outcome.error_class) == (451, ErrorClass.LOCKOUT_451)


def test_bad_exports_are_refused_or_partially_rejected_with_reasons(running: Running) -> None:
    headers = {"X-Douane-Key": TENANT_KEY}
    url = running.url + "/otlp/v1/traces"
    assert httpx.post(url, json=export(span("x", CHAT))).json()["error"]["code"] == "missing_douane_key"
    unknown = httpx.post(url, content=b"spans", headers={**headers, "Content-Type": "text/plain"})
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "invalid_otlp"
    garbage = httpx.post(url, content=b"\xff\xff\xff", headers={**headers, "Content-Type": "application/x-protobuf"})
    assert garbage.status_code == 400 and garbage.json()["error"]["code"] == "invalid_otlp"
    broken = httpx.post(url, json={"resourceSpans": "nope"}, headers=headers)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_otlp"
    nowhere = span("chat local", {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "my_llm"})
    bad_time = {**span("chat", CHAT), "startTimeUnixNano": "yesterday"}
    partial = httpx.post(url, json=export(nowhere, bad_time, span("chat ok", CHAT)), headers=headers).json()
    assert partial["partialSuccess"]["rejectedSpans"] == 2
    assert "no server.address" in partial["partialSuccess"]["errorMessage"]
    assert "startTimeUnixNano" in partial["partialSuccess"]["errorMessage"]


def test_protobuf_and_log_exports_are_served_as_exporters_send_them(running: Running, kafka_bootstrap) -> None:
    """Most SDK exporters send protobuf by default, and GenAI events as log records: both reach the topic."""
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceResponse

    from collector.tap.otel_logs import ingest_logs
    from collector.tap.otlp_proto import PROTOBUF
    from tests.collector.test_otel_formats import log_export, operation_details, protobuf_of
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

    headers = {"X-Douane-Key": TENANT_KEY}
    traces = export(span("chat gpt-4o", CHAT), span("chat nowhere", {"gen_ai.operation.name": "chat"}))
    answer = httpx.post(running.url + "/otlp/v1/traces", content=protobuf_of(traces, ExportTraceServiceRequest),
                        headers={**headers, "Content-Type": PROTOBUF}, timeout=10)
    assert answer.status_code == 200 and answer.headers["content-type"] == PROTOBUF
    response = ExportTraceServiceResponse.FromString(answer.content)
    assert response.partial_success.rejected_spans == 1  # the span with no server address
    record = {**operation_details(CHAT), "traceId": uuid.uuid4().hex, "spanId": uuid.uuid4().hex[:16]}
    logs = log_export(record)
    answer = httpx.post(running.url + "/otlp/v1/logs", json=logs, headers=headers, timeout=10)
    assert answer.status_code == 200 and answer.json() == {}
    expected = {str(e.event_id) for e in ingest(traces, "shop-berlin", b"douane-dev-key", "k1").events}
    expected |= {str(e.event_id) for e in ingest_logs(logs, "shop-berlin", b"douane-dev-key", "k1").events}
    assert len(expected) == 2
    _events_by_id(kafka_bootstrap, expected, expect=2)


def _events_by_id(bootstrap: str, ids: set[str], expect: int, timeout: float = 30) -> dict:
    """Every event on douane.ai-calls with one of ``ids`` (duplicates collapse by id, as in the store)."""
    consumer = KafkaConsumer(TOPICS.ai_calls.name, bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4()}",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    seen, found = 0, {}
    deadline = time.monotonic() + timeout
    while seen < expect and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=300).values():
            for event in (decode_event(r.value) for r in records):
                if str(event.event_id) in ids:
                    seen += 1
                    found[str(event.event_id)] = event
    consumer.close()
    assert seen == expect, f"{seen} of {expect} records arrived"
    return found
