"""The wire contract v1: what is accepted, what is refused, and that no content can ride along."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from douane.contract import (
    AICallEvent,
    Basis,
    Decision,
    DecodeError,
    Finding,
    Severity,
    Verdict,
    decode_event,
    decode_verdict,
    encode,
    json_schemas,
)
from douane.contract.codec import MAX_EVENT_BYTES
from douane.ids import uuid7
from tests.helpers import make_event


def event_dict(**changes) -> dict:
    data = json.loads(encode(make_event()))
    for path, value in changes.items():
        node = data
        *parents, leaf = path.split("__")
        for p in parents:
            node = node[p]
        node[leaf] = value
    return data


def test_event_round_trips_through_json_bytes() -> None:
    event = make_event(data_subject_country="de")
    decoded = decode_event(encode(event))
    assert decoded == event
    assert decoded.data_subject_country == "DE"
    assert json.loads(encode(event))["schema"] == "douane.ai_call/1"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"schema": "douane.ai_call/2"}, "schema"),
        ({"event_id": str(uuid.uuid4())}, "event_id"),
        ({"observed_at": "2026-11-21T10:00:00"}, "observed_at"),
        ({"tenant": "Shop With Spaces"}, "tenant"),
        ({"tap__kind": "carrier-pigeon"}, "tap.kind"),
        ({"destination__processing_country": "USA"}, "destination.processing_country"),
        ({"destination__path": "/v1/chat?api_key=sk-123"}, "destination.path"),
        ({"destination__host": "user:pw@api.openai.com"}, "destination.host"),
        ({"outcome__action": "teleported"}, "outcome.action"),
        ({"outcome__status": 99}, "outcome.status"),
        ({"outcome__latency_ms": -1}, "outcome.latency_ms"),
        ({"personal_data": {"categories": [{"category": "Email", "count": 1}]}}, "personal_data.categories"),
        ({"personal_data": {"content_hash": "sha256:abc"}}, "personal_data.content_hash"),
    ],
)
def test_invalid_fields_are_refused_and_named(changes: dict, field: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode_event(json.dumps(event_dict(**changes)).encode())
    assert field in err.value.reason


def test_observed_at_is_normalised_to_utc() -> None:
    data = event_dict(observed_at="2026-11-21T12:00:00+02:00")
    event = decode_event(json.dumps(data).encode())
    assert event.observed_at == datetime(2026, 11, 21, 10, 0, tzinfo=timezone.utc)
    assert event.observed_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize("smuggled", ["prompt", "messages", "completion", "content"])
def test_text_in_unknown_fields_is_dropped_not_stored(smuggled: str) -> None:
    secret = "My name is Jane Doe, card 4111 1111 1111 1111"
    data = event_dict()
    data[smuggled] = secret
    data["destination"][smuggled] = secret
    event = decode_event(json.dumps(data).encode())
    assert secret not in encode(event).decode()


def test_no_schema_property_can_hold_prompt_text() -> None:
    schema = json.dumps(json_schemas()["douane.ai_call/1"])
    for word in ('"prompt"', '"messages"', '"completion"', '"content"', '"text"'):
        assert word not in schema


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (None, "empty message"),
        (b"", "Invalid JSON"),
        (b"{not json", "Invalid JSON"),
        (b"\xff\xfe\x00", "Invalid JSON"),
        (b"[]", "invalid AICallEvent"),
        (b"x" * (MAX_EVENT_BYTES + 1), "exceeds"),
    ],
)
def test_malformed_bytes_give_a_reason(raw: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as err:
        decode_event(raw)
    assert reason in err.value.reason


def test_decode_errors_never_echo_the_input() -> None:
    data = event_dict(tenant="Jane.Doe@example.com secret")
    with pytest.raises(DecodeError) as err:
        decode_event(json.dumps(data).encode())
    assert "Jane" not in err.value.reason and "secret" not in err.value.reason


def test_verdict_round_trips_with_findings() -> None:
    finding = Finding(rule_id="chapter-v.no-basis", title="No transfer basis", articles=("GDPR Art. 44",),
                      severity=Severity.HIGH, explanation="x", remediation="y")
    verdict = Verdict(event_id=uuid7(), tenant="shop", decided_at=datetime.now(timezone.utc),
                      decision=Decision.UNAUTHORISED, basis=Basis.NONE, findings=(finding,))
    assert decode_verdict(encode(verdict)) == verdict
    assert json.loads(encode(verdict))["schema"] == "douane.verdict/1"


def test_event_embeds_the_applied_verdict() -> None:
    event = make_event()
    verdict = Verdict(event_id=event.event_id, tenant=event.tenant, decided_at=event.observed_at,
                      decision=Decision.ALLOWED, basis=Basis.EEA)
    with_verdict = event.model_copy(update={"outcome": event.outcome.model_copy(update={"verdict": verdict})})
    assert decode_event(encode(with_verdict)).outcome.verdict == verdict


def test_severity_is_ordered() -> None:
    assert [s.rank for s in Severity] == [0, 1, 2, 3, 4]
    assert Severity.CRITICAL.rank > Severity.HIGH.rank


def test_schemas_are_valid_json_schema_documents() -> None:
    schemas = json_schemas()
    assert set(schemas) == {"douane.ai_call/1", "douane.verdict/1", "douane.redirect/1", "douane.response/1"}
    for body in schemas.values():
        assert body["type"] == "object" and "properties" in body
    assert "schema" in schemas["douane.ai_call/1"]["properties"]
    assert AICallEvent.model_fields["schema_"].alias == "schema"
