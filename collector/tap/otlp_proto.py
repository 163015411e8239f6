"""OTLP/HTTP protobuf bodies read into the OTLP/JSON mapping the OTel ingest works on.

Most SDK exporters send ``application/x-protobuf`` by default. The body is decoded with the
official ``opentelemetry-proto`` messages and turned into the JSON mapping of the OTLP spec
(camelCase keys, 64-bit integers as strings); trace and span ids become hex as in OTLP/JSON, so
the same span sent either way is declared with the same event id.
"""

from __future__ import annotations

import json

from google.protobuf.json_format import MessageToDict, ParseDict
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest, ExportLogsServiceResponse
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

PROTOBUF = "application/x-protobuf"
MESSAGES = {"traces": ExportTraceServiceRequest, "logs": ExportLogsServiceRequest}
RESPONSES = {"traces": ExportTraceServiceResponse, "logs": ExportLogsServiceResponse}
REJECTED = {"traces": "rejectedSpans", "logs": "rejectedLogRecords"}
RECORDS = {"traces": ("resourceSpans", "scopeSpans", "spans"), "logs": ("resourceLogs", "scopeLogs", "logRecords")}


def decode_protobuf(raw: bytes, signal: str) -> dict:
    """``raw`` (an OTLP ``Export{Trace,Logs}ServiceRequest``) as its OTLP/JSON mapping; ValueError if unreadable."""
    message: Message = MESSAGES[signal]()
    try:
        message.ParseFromString(raw)
    except (DecodeError, RecursionError) as exc:  # protobuf's own nesting limit raises DecodeError
        raise ValueError(f"not an OTLP protobuf {signal} export: {exc}") from None
    payload = MessageToDict(message)
    _hex_ids(message, payload, RECORDS[signal])
    return payload


def _hex_ids(message: Message, payload: dict, path: tuple[str, str, str]) -> None:
    """Protobuf's JSON mapping writes bytes as base64; OTLP/JSON writes trace and span ids as hex."""
    top, scopes, records = path
    for resource, resource_json in zip(getattr(message, _snake(top)), payload.get(top, [])):
        for scope, scope_json in zip(getattr(resource, _snake(scopes)), resource_json.get(scopes, [])):
            for record, record_json in zip(getattr(scope, _snake(records)), scope_json.get(records, [])):
                for field in ("trace_id", "span_id"):
                    value = getattr(record, field)
                    if value:
                        record_json[_camel(field)] = value.hex()


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def read_export(raw: bytes, content_type: str, signal: str) -> dict:
    """An OTLP/HTTP body, JSON or protobuf by its ``Content-Type``, as the OTLP/JSON mapping; ValueError otherwise."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type == PROTOBUF:
        return decode_protobuf(raw, signal)
    if media_type != "application/json":
        raise ValueError(f"unsupported Content-Type {media_type or '(none)'}: send {PROTOBUF} or application/json")
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise ValueError(f"the body is not OTLP/JSON {signal}") from None
    if not isinstance(payload, dict):
        raise ValueError(f"an OTLP {signal} export is a JSON object")
    return payload


def export_response(partial: dict, content_type: str, signal: str) -> tuple[bytes, str]:
    """The OTLP/HTTP answer to an export, in the encoding the exporter used: ``partial`` is
    ``{}`` or ``{"partialSuccess": {"rejectedSpans": n, "errorMessage": ...}}``."""
    if "partialSuccess" in partial:
        success = dict(partial["partialSuccess"])
        success[REJECTED[signal]] = success.pop("rejectedSpans", 0)
        partial = {"partialSuccess": success}
    if content_type.split(";")[0].strip().lower() == PROTOBUF:
        return ParseDict(partial, RESPONSES[signal]()).SerializeToString(), PROTOBUF
    return json.dumps(partial).encode(), "application/json"
