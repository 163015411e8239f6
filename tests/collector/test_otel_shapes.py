"""OTel ingest on every payload shape: a coded refusal (ValueError → 400) or a partial success, never a crash;
spans exported without their content are declared as "not observed", never as "no personal data"."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.tap.otel import ingest
from douane.contract.events import ScanState
from tests.collector.test_otel import CHAT, export, kv, span

KEY = b"k"


def ingested_or_refused(payload) -> None:
    """What the gateway relies on: ``ingest`` returns, or raises ValueError (its 400 invalid_otlp)."""
    try:
        ingest(payload, "shop-berlin", KEY, "k1")
    except ValueError:
        pass


def deep_array(depth: int) -> dict:
    value: dict = {"stringValue": "x"}
    for _ in range(depth):
        value = {"arrayValue": {"values": [value]}}
    return value


def with_scope(scope) -> dict:
    return {"resourceSpans": [{"resource": {}, "scopeSpans": scope}]}


SHAPES = {
    "scopeSpans is a number": with_scope(5),
    "scopeSpans holds a number": with_scope([5]),
    "spans is a string": with_scope([{"spans": "nope"}]),
    "resourceSpans holds a list": {"resourceSpans": [[1]]},
    "resource is a number": {"resourceSpans": [{"resource": 5, "scopeSpans": []}]},
    "payload is a list": [1, 2],
    "attributes is a number": export({**span("chat", CHAT), "attributes": 5}),
    "attribute value is a list": export({**span("chat", CHAT), "attributes": [{"key": "a", "value": [1]}]}),
    "arrayValue is a list": export({**span("chat", CHAT), "attributes": [{"key": "a", "value": {"arrayValue": []}}]}),
    "deep arrayValue": export({**span("chat", CHAT), "attributes": [{"key": "gen_ai.x", "value": deep_array(5000)}]}),
    "infinite start time": export({**span("chat", CHAT), "startTimeUnixNano": float("inf")}),
    "start time past year 9999": export({**span("chat", CHAT), "startTimeUnixNano": str(10**30)}),
    "negative start time": export({**span("chat", CHAT), "startTimeUnixNano": "-5"}),
    "events is a number": export({**span("chat", CHAT), "events": 7}),
    "event attributes deep": export(span("chat", CHAT, events=[
        {"name": "gen_ai.user.message", "attributes": [{"key": "content", "value": deep_array(3000)}]}])),
    "messages attribute is deep JSON": export(span("chat", {**CHAT, "gen_ai.input.messages": "[" * 50_000 + "]" * 50_000})),
    "status is a number": export({**span("chat", CHAT), "status": 3}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_payload_shape_is_ingested_or_refused_with_a_reason(shape: str) -> None:
    ingested_or_refused(SHAPES[shape])


def test_a_span_with_a_broken_attribute_is_rejected_alone() -> None:
    broken = {**span("chat broken", CHAT), "attributes": [{"key": "gen_ai.x", "value": deep_array(5000)}]}
    result = ingest(export(broken, span("chat ok", CHAT)), "shop-berlin", KEY, "k1")
    assert len(result.events) == 1 and len(result.rejected) == 1
    assert "nested deeper" in result.rejected[0]


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                               st.sampled_from(["resourceSpans", "scopeSpans", "spans", "attributes", "key", "value",
                                                "stringValue", "intValue", "arrayValue", "kvlistValue", "values",
                                                "events", "name", "startTimeUnixNano", "status", "resource"]),
                               inner, max_size=4), max_leaves=25)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_value_is_ingested_or_refused(payload) -> None:
    ingested_or_refused(payload)


def test_a_span_without_captured_content_is_not_observed_not_clean() -> None:
    result = ingest(export(span("chat gpt-4o", CHAT)), "shop-berlin", KEY, "k1")
    data = result.events[0].personal_data
    assert data.scan is ScanState.NOT_OBSERVED and not data.categories


@pytest.mark.parametrize("content", [
    {"gen_ai.input.messages": '[{"role":"user","parts":[{"type":"text","content":"Wie spät ist es?"}]}]'},
    {"gen_ai.prompt": "Wie spät ist es?"},
])
def test_a_span_with_captured_content_is_complete(content: dict) -> None:
    result = ingest(export(span("chat gpt-4o", {**CHAT, **content})), "shop-berlin", KEY, "k1")
    assert result.events[0].personal_data.scan is ScanState.COMPLETE


def test_content_in_a_message_event_is_observed() -> None:
    events = [{"name": "gen_ai.user.message", "attributes": [kv("content", "mail anna@web.de")]}]
    data = ingest(export(span("chat", CHAT, events=events)), "shop-berlin", KEY, "k1").events[0].personal_data
    assert data.scan is ScanState.COMPLETE and "user.contact.email" in data.category_keys
