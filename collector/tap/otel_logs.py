"""OTel GenAI events sent as log records (``/v1/logs``) become events like the spans they describe.

The GenAI semantic conventions also define events, which SDKs export as OTLP log records: the
``gen_ai.client.inference.operation.details`` event carries the same ``gen_ai.*`` attributes as
the span (operation, provider, model, server address, usage and, when captured, the messages).
Each log record with a ``gen_ai.operation.name`` is declared through the span path; its body,
where an SDK puts message content, is scanned too. The event id comes from the record's trace
and span ids, so a call exported both as a span and as a log event is one record in the store.
Per-message events without an operation (``gen_ai.user.message`` alone) cannot be placed and
are ignored.
"""

from __future__ import annotations

from collector.tap.otel import SPAN_ERRORS, Ingested, _first_line, attributes, resource_items, span_event


def ingest_logs(payload: dict, tenant: str, key: bytes, key_id: str, *, scan: bool = True) -> Ingested:
    """Turn one ``ExportLogsServiceRequest`` (OTLP/JSON mapping) into events; ValueError names a malformed export.
    With ``scan=False`` the captured texts are left in ``Ingested.texts`` for the caller to scan."""
    result = Ingested()
    if not isinstance(payload, dict) or not isinstance(payload.get("resourceLogs", []), list):
        raise ValueError("a logs export is an object whose resourceLogs is a list")
    for resource, record in resource_items(payload, "resourceLogs", "scopeLogs", "logRecords"):
        try:
            attrs = attributes(record.get("attributes"))
            if "gen_ai.operation.name" in attrs:
                result.add(*span_event(tenant, resource, _as_span(record, attrs), attrs), key, key_id, scan)
        except SPAN_ERRORS as exc:
            result.rejected.append(f"log record {str(record.get('eventName', '?'))[:60]!r}: "
                                   f"{_first_line(exc) or type(exc).__name__}")
    return result


def _as_span(record: dict, attrs: dict) -> dict:
    """The span-shaped view of a log record: its times, ids, and its body as a content event."""
    body = record.get("body")
    events = [{"name": "gen_ai.log.body", "attributes": [{"key": "content", "value": body}]}] if body else []
    return {"name": record.get("eventName") or attrs.get("event.name") or "gen_ai event",
            "traceId": record.get("traceId"), "spanId": record.get("spanId"),
            "startTimeUnixNano": record.get("timeUnixNano") or record.get("observedTimeUnixNano"),
            "endTimeUnixNano": "0", "attributes": record.get("attributes"), "events": events}
