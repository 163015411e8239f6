"""OTLP as exporters send it: protobuf as well as JSON, and GenAI events as log records (/v1/logs)."""

from __future__ import annotations

import json

import pytest
from google.protobuf.json_format import ParseDict
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from collector.tap.otel import ingest
from collector.tap.otel_logs import ingest_logs
from collector.tap.otlp_proto import PROTOBUF, read_export
from douane.contract.events import ScanState
from tests.collector.test_otel import CHAT, export, kv, span

KEY = b"k"
MESSAGES = '[{"role":"user","parts":[{"type":"text","content":"Bitte an anna@web.de, ich bin Diabetiker"}]}]'


def protobuf_of(payload: dict, message) -> bytes:
    """The protobuf an SDK exporter sends for the same export (OTLP/JSON ids are hex, protobuf's are bytes)."""
    wire = json.loads(json.dumps(payload))
    for resource in wire.get("resourceSpans", []) + wire.get("resourceLogs", []):
        for scope in resource.get("scopeSpans", []) + resource.get("scopeLogs", []):
            for record in scope.get("spans", []) + scope.get("logRecords", []):
                for field in ("traceId", "spanId"):
                    if record.get(field):
                        record[field] = __import__("base64").b64encode(bytes.fromhex(record[field])).decode()
    return ParseDict(wire, message()).SerializeToString()


def test_a_protobuf_trace_export_is_declared_like_its_json_twin() -> None:
    body = export(span("chat gpt-4o", {**CHAT, "gen_ai.input.messages": MESSAGES}))
    from_json = ingest(read_export(json.dumps(body).encode(), "application/json", "traces"), "shop", KEY, "k1")
    from_proto = ingest(read_export(protobuf_of(body, ExportTraceServiceRequest), PROTOBUF, "traces"),
                        "shop", KEY, "k1")
    assert [e.event_id for e in from_proto.events] == [e.event_id for e in from_json.events]
    event = from_proto.events[0]
    assert {"user.contact.email", "user.health_and_medical"} <= event.personal_data.category_keys
    assert (event.outcome.prompt_tokens, event.destination.host) == (31, "api.openai.com")


@pytest.mark.parametrize("raw,content_type,reason", [
    (b"\xff\xff\xff", PROTOBUF, "not an OTLP protobuf"),
    (b"\x0a" * 200_000, PROTOBUF, "not an OTLP protobuf"),
    (b"<xml/>", "application/xml", "unsupported Content-Type"),
    (b"[" * 100_000, "application/json", "not OTLP/JSON"),
    (b"[1]", "application/json; charset=utf-8", "is a JSON object"),
])
def test_unreadable_bodies_are_refused_with_a_reason(raw: bytes, content_type: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        read_export(raw, content_type, "traces")


def log_export(*records: dict) -> dict:
    resource = {"attributes": [kv("service.name", "shopware-chat")]}
    return {"resourceLogs": [{"resource": resource, "scopeLogs": [{"scope": {"name": "genai"},
                                                                   "logRecords": list(records)}]}]}


def operation_details(attrs: dict, body: dict | None = None) -> dict:
    record = {"timeUnixNano": "1764600000000000000", "eventName": "gen_ai.client.inference.operation.details",
              "traceId": "5b8efff798038103d269b633813fc60c", "spanId": "eee19b7ec3c1b174",
              "attributes": [kv(k, v) for k, v in attrs.items()]}
    return {**record, "body": body} if body else record


def test_genai_log_events_are_declared_and_plain_logs_ignored() -> None:
    details = operation_details({**CHAT, "gen_ai.input.messages": MESSAGES})
    plain = {"timeUnixNano": "1764600000000000000", "body": {"stringValue": "GET /cart 200"}, "attributes": []}
    result = ingest_logs(log_export(details, plain), "shop", KEY, "k1")
    assert len(result.events) == 1 and not result.rejected
    event = result.events[0]
    assert event.tap.name == "shopware-chat" and "user.contact.email" in event.personal_data.category_keys


def test_content_in_a_log_body_is_scanned_and_its_absence_is_not_observed() -> None:
    with_body = operation_details(CHAT, body={"stringValue": "IBAN DE89 3704 0044 0532 0130 00"})
    bare = operation_details(CHAT)
    data = [e.personal_data for e in ingest_logs(log_export(with_body, bare), "shop", KEY, "k1").events]
    assert "user.financial.bank_account" in data[0].category_keys and data[0].scan is ScanState.COMPLETE
    assert data[1].scan is ScanState.NOT_OBSERVED


def test_a_protobuf_logs_export_is_read() -> None:
    body = log_export(operation_details({**CHAT, "gen_ai.input.messages": MESSAGES}))
    from_proto = ingest_logs(read_export(protobuf_of(body, ExportLogsServiceRequest), PROTOBUF, "logs"),
                             "shop", KEY, "k1")
    from_json = ingest_logs(body, "shop", KEY, "k1")
    assert [e.event_id for e in from_proto.events] == [e.event_id for e in from_json.events]
    assert "user.contact.email" in from_proto.events[0].personal_data.category_keys


@pytest.mark.parametrize("payload", [{"resourceLogs": 5}, {"resourceLogs": [{"scopeLogs": 5}]}, [1],
                                     log_export({**operation_details(CHAT), "timeUnixNano": "soon"})])
def test_malformed_logs_exports_are_refused_or_rejected(payload) -> None:
    try:
        result = ingest_logs(payload, "shop", KEY, "k1")
    except ValueError:
        return
    assert result.rejected and not result.events
