"""The fast event reader gives what pydantic gives, or leaves the bytes to pydantic.

The property that matters: whatever ``EventView`` accepts, pydantic accepts too, with the
same value in every field (same types, same normalised form); and ``read_event`` answers
exactly as ``decode_event`` does, refusals and reasons included.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone

import msgspec
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from collector import TrafficGenerator
from douane.contract import AICallEvent, DecodeError, decode_event, encode
from douane.contract.events import AppContext, CategoryCount, Destination, Outcome, PersonalData, RegionHint, Tap
from douane.contract.fast import (
    _DECODER,
    AppView,
    CategoryCountView,
    DestinationView,
    EventView,
    FindingView,
    OutcomeView,
    PersonalDataView,
    RegionHintView,
    TapView,
    VerdictView,
    read_event,
    to_model,
)
from douane.contract.verdict import Finding, Verdict
from douane.ids import uuid7
from rules.engine import evaluate
from rules.policy import load_policy
from rules.registry import load_registry
from tests.helpers import make_event

MIRRORS = [(EventView, AICallEvent), (TapView, Tap), (AppView, AppContext), (DestinationView, Destination),
           (RegionHintView, RegionHint), (PersonalDataView, PersonalData), (CategoryCountView, CategoryCount),
           (OutcomeView, Outcome), (VerdictView, Verdict), (FindingView, Finding)]


def assert_same(view, model) -> None:
    """Every field of ``model`` has the same value and type in ``view`` (recursively)."""
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            assert_same(getattr(view, name), getattr(model, name))
    elif isinstance(model, tuple):
        assert isinstance(view, tuple) and len(view) == len(model)
        for v, m in zip(view, model):
            assert_same(v, m)
    else:
        assert type(view) is type(model), (view, model)
        assert view == model
        if isinstance(model, datetime):
            assert view.tzinfo is model.tzinfo is timezone.utc


@pytest.mark.parametrize(("view", "model"), MIRRORS, ids=lambda c: c.__name__)
def test_each_mirror_has_the_models_fields_and_defaults(view, model) -> None:
    fields = {f.name: f for f in msgspec.structs.fields(view) if f.name != "schema_by_name"}
    assert set(fields) == set(model.model_fields)
    for name, info in model.model_fields.items():
        assert fields[name].required == info.is_required(), name
        if not info.is_required():
            default = fields[name].default
            if isinstance(info.default, BaseModel):
                assert_same(default, info.default)
            else:
                assert default == info.default, name


def traffic(n: int = 300) -> list[AICallEvent]:
    return TrafficGenerator(("shop-berlin", "shop-lyon"), seed=11).events(n)


def test_canonical_traffic_is_read_fast_and_equal_to_pydantic() -> None:
    for event in traffic():
        data = encode(event)
        view = read_event(data)
        assert isinstance(view, EventView)
        assert_same(view, decode_event(data))
        assert to_model(view) == event


def test_an_embedded_verdict_is_read_fast_and_equal() -> None:
    event = traffic(1)[0]
    registry, policy = load_registry(), load_policy("deploy/examples/woocommerce-shop.policy.yaml")
    verdict = evaluate(event, registry, policy)
    assert verdict.findings
    with_verdict = event.model_copy(update={"outcome": event.outcome.model_copy(update={"verdict": verdict})})
    data = encode(with_verdict)
    view = read_event(data)
    assert isinstance(view, EventView) and isinstance(view.outcome.verdict, VerdictView)
    assert_same(view, decode_event(data))
    assert to_model(view) == with_verdict


def canonical() -> dict:
    return json.loads(encode(make_event(data_subject_country="DE")))


@pytest.mark.parametrize(("path", "value", "expected"), [
    ("destination.host", "API.OpenAI.com", "api.openai.com"),
    ("data_subject_country", "de", "DE"),
    ("observed_at", "2026-11-21T11:00:00+01:00", datetime(2026, 11, 21, 10, tzinfo=timezone.utc)),
    ("observed_at", "2026-11-21T10:00:00.1234567Z", datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=timezone.utc)),
    ("outcome.status", "200", 200),
    ("outcome.latency_ms", "12.5", 12.5),
    ("personal_data", {"special_category": 1}, {"special_category": True}),
])
def test_input_pydantic_would_normalise_is_left_to_pydantic(path, value, expected) -> None:
    data = canonical()
    node, *_ = _set(data, path, value)
    with pytest.raises(msgspec.ValidationError):
        _DECODER.decode(json.dumps(data).encode())
    read = read_event(json.dumps(data).encode())
    assert isinstance(read, AICallEvent)
    got = _get(read, path)
    if isinstance(expected, dict):
        assert all(getattr(got, k) == v for k, v in expected.items())
    else:
        assert got == expected


@pytest.mark.parametrize(("path", "value"), [
    ("destination.host", "api.openai.com\n"),
    ("tenant", "shop\n"),
    ("tenant", "Shop"),
    ("event_id", "0f1e2d3c-4b5a-4968-8776-655443322110"),  # a v4
    ("observed_at", "2026-11-21T10:00:00"),
    ("observed_at", "2026-02-30T10:00:00Z"),
    ("outcome.status", 99),
    ("outcome.latency_ms", -1),
    ("destination.path", "/v1?key=sk-1"),
])
def test_what_breaks_the_contract_is_refused_with_pydantics_reason(path, value) -> None:
    data = canonical()
    _set(data, path, value)
    raw = json.dumps(data).encode()
    with pytest.raises(DecodeError) as reference:
        decode_event(raw)
    with pytest.raises(DecodeError) as fast:
        read_event(raw)
    assert fast.value.reason == reference.value.reason


@pytest.mark.parametrize(("value", "accepted"), [("douane.ai_call/1", True), ("douane.ai_call/2", False)])
def test_the_schema_by_its_python_name_is_left_to_pydantic(value, accepted) -> None:
    data = canonical()
    del data["schema"]
    data["schema_"] = value
    raw = json.dumps(data).encode()
    with pytest.raises(msgspec.ValidationError):
        _DECODER.decode(raw)
    if accepted:
        assert_same(read_event(raw), decode_event(raw))
    else:
        with pytest.raises(DecodeError) as refused:
            decode_event(raw)
        with pytest.raises(DecodeError, match="schema") as fast:
            read_event(raw)
        assert fast.value.reason == refused.value.reason


def test_null_oversized_and_garbage_get_pydantics_answer() -> None:
    for raw in (None, b"", b"[]", b"{", b"\xff\xfe", b'{"schema": "douane.ai_call/1"}', b" " * 300_000):
        with pytest.raises(DecodeError) as reference:
            decode_event(raw)
        with pytest.raises(DecodeError) as fast:
            read_event(raw)
        assert fast.value.reason == reference.value.reason


# --- the property: on any input, the fast path agrees with pydantic or steps aside -------------------------------

_TEXT = st.text(alphabet=st.sampled_from("aZ9_.-:/ \n\t\x1f\u00e9\u0085[]?#@"), max_size=12)
_ODD = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False), _TEXT,
                 st.just([]), st.just({}))


def _field_values(valid):
    return st.one_of(st.just(valid), _ODD)


_DATES = st.one_of(
    st.datetimes(timezones=st.just(timezone.utc)).map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-11-21T10:00:00.1234567Z", "2026-11-21 10:00:00Z", "2026-11-21t10:00:00z",
                     "2026-11-21T10:00:00+0000", "2026-11-21T10:00Z", "2026-11-21T24:00:00Z", "１２３"]),
)


@st.composite
def mutated_events(draw) -> bytes:
    data = canonical()
    data["destination"]["region_hints"] = [{"source": "header", "key": "x-region", "value": "eu"}]
    data["personal_data"] = {"categories": [{"category": "user.contact.email", "count": 2, "detectors": ["email"]}],
                             "special_category": False}
    leaves = list(_leaves(data))
    for path in draw(st.lists(st.sampled_from(leaves), max_size=3, unique=True)):
        current = _get_dict(data, path)
        value = draw(_DATES if path.endswith("observed_at") else _field_values(current))
        if isinstance(value, str) and isinstance(current, str) and draw(st.booleans()):
            value = draw(st.sampled_from([current.upper(), current + "\n", current.lower(), " " + current]))
        _set(data, path, value)
    if draw(st.booleans()):
        data[draw(st.sampled_from(["schema_", "extra", "tenant"]))] = draw(_ODD)
    raw = json.dumps(data, ensure_ascii=draw(st.booleans())).encode()
    if draw(st.integers(0, 9)) == 0:
        at = draw(st.integers(0, len(raw) - 1))
        raw = raw[:at] + bytes([draw(st.integers(0, 255))]) + raw[at + 1:]
    return raw


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_events())
def test_the_fast_path_never_accepts_more_than_pydantic_and_never_differs(raw: bytes) -> None:
    try:
        reference = decode_event(raw)
    except DecodeError as refused:
        event("refused")
        with pytest.raises(DecodeError) as fast:
            read_event(raw)
        assert fast.value.reason == refused.reason
        return
    read = read_event(raw)
    event("accepted, fast path" if isinstance(read, EventView) else "accepted, pydantic path")
    assert_same(read, reference)


def _leaves(node, prefix=""):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _leaves(v, f"{prefix}{k}.")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _leaves(v, f"{prefix}{i}.")
    else:
        yield prefix.rstrip(".")


def _get_dict(data, path: str):
    for part in path.split("."):
        data = data[int(part)] if isinstance(data, list) else data[part]
    return data


def _set(data, path: str, value):
    *parents, leaf = path.split(".")
    node = data
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(leaf)] = value
    else:
        node[leaf] = value
    return node, leaf


def _get(model, path: str):
    for part in path.split("."):
        model = getattr(model, part)
    return model


def test_uuid7_of_the_helpers_is_read_fast() -> None:
    assert isinstance(read_event(encode(make_event(event_id=uuid7()))), EventView)


@pytest.mark.parametrize(("path", "value"), [
    ("tenant", "Shop"), ("tap.name", "a b"), ("app.feature", "x\n"), ("destination.host", "API.openai.com"),
    ("destination.path", "no-slash"), ("destination.provider", "Open AI"), ("destination.entity_country", "us"),
    ("data_subject_country", "DEU"), ("personal_data.categories.0.category", "User.Contact"),
    ("personal_data.categories.0.detectors.0", "E-mail"),
])
def test_a_route_that_passed_lets_no_other_value_of_its_fields_through(path, value) -> None:
    # The repeating fields are checked once per distinct combination: one changed field is a new one.
    data = canonical()
    data["personal_data"] = {"categories": [{"category": "user.contact.email", "count": 1, "detectors": ["email"]}]}
    assert isinstance(read_event(json.dumps(data).encode()), EventView)
    _set(data, path, value)
    with pytest.raises(msgspec.ValidationError):
        _DECODER.decode(json.dumps(data).encode())
    try:
        read = read_event(json.dumps(data).encode())
    except DecodeError:
        return  # refused by pydantic
    assert isinstance(read, AICallEvent)  # or normalised by pydantic (an upper-case host, a lower-case country)
