"""Slack interactivity requests: only signed, fresh, first-seen incident actions count; the rest is a 4xx."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from urllib.parse import urlencode

import pytest

from stream.alerts.interactions import InteractionError, InteractionGate, sign

SECRET = "topsecret"
NOW = 1_800_000_000


def request(payload: dict | str, secret: str = SECRET, stamp: int | str = NOW, signature: str | None = None):
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    body = urlencode({"payload": raw}).encode()
    headers = {"X-Slack-Request-Timestamp": str(stamp),
               "X-Slack-Signature": signature or sign(secret, str(stamp), body)}
    return body, headers


def action(action_id: str = "douane.ack", value: str = "shop|rule|openai|US", **extra) -> dict:
    return {"type": "block_actions", "user": {"id": "U9", "username": "lena"},
            "actions": [{"action_id": action_id, "value": value, **extra}]}


def gate(secret: str | None = SECRET, now: float = NOW + 10) -> InteractionGate:
    return InteractionGate(secret, now=lambda: now)


def test_a_signed_acknowledgement_names_incident_person_and_time_from_the_payload() -> None:
    body, headers = request(action(action_ts="1800000005.123456"))
    got = gate().check(body, headers)
    assert (got.kind, got.incident, got.by, got.user_id) == ("ack", "shop|rule|openai|US", "lena", "U9")
    assert got.at == datetime.fromtimestamp(1800000005.123456, timezone.utc)


def test_resolve_is_an_action_of_its_own() -> None:
    body, headers = request(action("douane.resolve"))
    got = gate().check(body, headers)
    assert got.kind == "resolve" and got.at == datetime.fromtimestamp(NOW, timezone.utc)


def test_an_exact_replay_is_refused_within_the_window() -> None:
    checker = gate()
    body, headers = request(action())
    checker.check(body, headers)
    with pytest.raises(InteractionError) as err:
        checker.check(body, headers)
    assert err.value.status == 409 and "replayed" in str(err.value)


def test_a_signature_is_forgotten_once_its_window_is_over() -> None:
    clock = [NOW]
    checker = InteractionGate(SECRET, now=lambda: clock[0])
    body, headers = request(action())
    checker.check(body, headers)
    clock[0] = NOW + 700  # past the window: the request is stale anyway, and the memory is pruned
    with pytest.raises(InteractionError, match="stale"):
        checker.check(body, headers)
    assert not checker._seen


@pytest.mark.parametrize(
    ("make", "secret", "status", "reason"),
    [
        (lambda: request(action()), None, 403, "no Slack signing secret"),
        (lambda: request(action(), secret="other"), SECRET, 401, "bad X-Slack-Signature"),
        (lambda: request(action(), stamp=NOW - 3600), SECRET, 401, "stale"),
        (lambda: request(action(), signature="v0=" + "0" * 64), SECRET, 401, "bad X-Slack-Signature"),
        (lambda: request(action(), signature="v0=deadbeef"), SECRET, 400, "64 hex digits"),
        (lambda: request(action(), stamp="9" * 5000), SECRET, 400, "Unix seconds"),
        (lambda: request(action(), stamp="١٨٠٠٠٠٠٠٠٠"), SECRET, 400, "Unix seconds"),  # non-ASCII digits
        (lambda: request(action(), stamp=""), SECRET, 400, "Unix seconds"),
        (lambda: request(action(), stamp="-5"), SECRET, 400, "Unix seconds"),
        (lambda: (b"x" * 70_000, request(action())[1]), SECRET, 413, "over"),
        (lambda: request({"type": "block_actions", "user": {"id": "U"}, "actions": []}), SECRET, 400,
         "not an incident action"),
        (lambda: request(action("douane.delete-everything")), SECRET, 400, "not an incident action"),
        (lambda: request(action(value=["a"])), SECRET, 400, "not an incident action"),
        (lambda: request(action(action_ts="9" * 400)), SECRET, 400, "not an incident action"),
        (lambda: request("{not json"), SECRET, 400, "not an incident action"),
        (lambda: request("[]"), SECRET, 400, "not an incident action"),
    ],
)
def test_everything_else_is_refused_with_a_4xx(make, secret, status, reason) -> None:
    body, headers = make()
    with pytest.raises(InteractionError) as err:
        gate(secret).check(body, headers)
    assert err.value.status == status and reason in str(err.value)


def test_undecodable_bytes_are_a_400() -> None:
    body = b"payload=\xff\xfe"
    stamp = str(NOW)
    with pytest.raises(InteractionError) as err:
        gate().check(body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sign(SECRET, stamp, body)})
    assert err.value.status == 400
