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
    protobuf = httpx.post(url, content=b"\x0a\x00", headers={**headers, "Content-Type": "application/x-protobuf"})
    assert protobuf.status_code == 415
    broken = httpx.post(url, json={"resourceSpans": "nope"}, headers=headers)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "invalid_otlp"
    nowhere = span("chat local", {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "my_llm"})
    bad_time = {**span("chat", CHAT), "startTimeUnixNano": "yesterday"}
    partial = httpx.post(url, json=export(nowhere, bad_time, span("chat ok", CHAT)), headers=headers).json()
    assert partial["partialSuccess"]["rejectedSpans"] == 2
    assert "no server.address" in partial["partialSuccess"]["errorMessage"]
    assert "startTimeUnixNano" in partial["partialSuccess"]["errorMessage"]


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
