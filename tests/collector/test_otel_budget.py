"""OTLP exports are scanned within the same budget as the gateway's own calls: one large export whose
content is slow to scan (digits and spaces, the phone detector's worst case), as one long span or as
many short ones, JSON or protobuf, traces or logs, neither stalls another tenant's calls nor goes
unrecorded: its events carry ``scan = budget_exceeded`` where detection did not see all their text."""

from __future__ import annotations

import hashlib
import hmac
import json
import random

import pytest
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from collector.declare import request_text
from collector.tap.otlp_proto import PROTOBUF
from douane.contract.events import ScanState
from tests.collector.conftest import TENANT_KEY, Running
from tests.collector.events import events_with
from tests.collector.test_budget import OTHER_TENANT_BOUND_S, other_tenant_meanwhile
from tests.collector.test_otel import CHAT, export, span
from tests.collector.test_otel_formats import log_export, operation_details, protobuf_of

pytestmark = pytest.mark.kafka

HOSTILE_CHARS = 1_000_000  # half the default body limit; a quiet core scans digits at ~1 MB/s


def digits(count: int, salt: int) -> str:
    """``count`` characters of space-separated 7-digit numbers, different for each ``salt``."""
    return " ".join(f"{(n * 7919 + salt) % 10_000_000:07d}" for n in range(count // 8 + 1))[:count]


def hostile_texts(spans: int) -> list[str]:
    """One export's texts, unlike any other test's (the broker is shared: events are found by content hash)."""
    base = random.randrange(10_000_000)
    return [digits(HOSTILE_CHARS // spans, base + salt) for salt in range(spans)]


def traces_of(texts: list[str]) -> dict:
    return export(*(span("chat gpt-4o", {**CHAT, "gen_ai.input.messages": text}) for text in texts))


def logs_of(texts: list[str]) -> dict:
    records = [operation_details(CHAT, {"stringValue": text}) for text in texts]
    for number, record in enumerate(records):  # one operation each, so one event each
        record["spanId"] = f"{number + 1:016x}"
    return log_export(*records)


def encoded(payload: dict, signal: str, encoding: str) -> tuple[bytes, str]:
    if encoding == "json":
        return json.dumps(payload).encode(), "application/json"
    message = ExportTraceServiceRequest if signal == "traces" else ExportLogsServiceRequest
    return protobuf_of(payload, message), PROTOBUF


def scanned_text(text: str) -> str:
    """The text detection reads for one span or log record (what its content hash covers)."""
    return request_text([text])


@pytest.mark.parametrize(("signal", "encoding", "spans"), [("traces", "json", 1), ("logs", "protobuf", 1),
                                                          ("traces", "protobuf", 250), ("logs", "json", 250)])
async def test_a_large_slow_export_does_not_stall_another_tenant(running: Running, kafka_bootstrap: str,
                                                                 signal: str, encoding: str, spans: int) -> None:
    texts = hostile_texts(spans)
    payload = traces_of(texts) if signal == "traces" else logs_of(texts)
    body, content_type = encoded(payload, signal, encoding)
    answer, latencies, took = await other_tenant_meanwhile(
        running, f"/otlp/v1/{signal}", content=body, headers={"X-Douane-Key": TENANT_KEY, "Content-Type": content_type})
    assert answer.status_code == 200, answer.text
    assert len(latencies) >= 3 and max(latencies) < OTHER_TENANT_BOUND_S, latencies
    assert took < running.gateway.config.scan_timeout_s + 5
    hashes = {_hash(scanned_text(text)) for text in texts}
    events = events_with(kafka_bootstrap, hashes, expect=spans)
    assert len(events) == spans  # every span declared, none lost to the budget
    # the export's texts together are five times the per-request budget: detection cannot have seen them all
    assert ScanState.BUDGET_EXCEEDED in {e.personal_data.scan for e in events}
    assert running.gateway.scanner.exceeded >= 1


def _hash(text: str) -> str:
    return f"hmac-sha256:k1:{hmac.new(b'douane-dev-key', text.encode(), hashlib.sha256).hexdigest()}"
