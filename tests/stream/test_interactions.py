"""Slack interactivity requests: only signed, fresh acknowledgements count."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from stream.alerts.interactions import InteractionError, parse_ack, sign

SECRET = "topsecret"
NOW = 1_800_000_000


def request(payload: dict | str, secret: str = SECRET, stamp: int = NOW, signature: str | None = None):
    raw = payload if isinstance(payload, str) else json.dumps(payload)
    body = urlencode({"payload": raw}).encode()
    headers = {"X-Slack-Request-Timestamp": str(stamp),
               "X-Slack-Signature": signature or sign(secret, str(stamp), body)}
    return body, headers


ACK = {"type": "block_actions", "user": {"id": "U9", "username": "lena"},
       "actions": [{"action_id": "douane.ack", "value": "shop|rule|openai|US"}]}


def test_a_signed_acknowledgement_names_incident_and_person() -> None:
    body, headers = request(ACK)
    assert parse_ack(body, headers, SECRET, now=NOW + 10) == ("shop|rule|openai|US", "lena")


@pytest.mark.parametrize(
    ("make", "secret", "now", "status", "reason"),
    [
        (lambda: request(ACK), None, NOW, 403, "no Slack signing secret"),
        (lambda: request(ACK, secret="other"), SECRET, NOW, 401, "bad X-Slack-Signature"),
        (lambda: request(ACK, stamp=NOW - 3600), SECRET, NOW, 401, "stale"),
        (lambda: request(ACK, signature="v0=deadbeef"), SECRET, NOW, 401, "bad X-Slack-Signature"),
        (lambda: request({"type": "block_actions", "user": {"id": "U"}, "actions": []}), SECRET, NOW, 400,
         "not an acknowledgement"),
        (lambda: request("{not json"), SECRET, NOW, 400, "not an acknowledgement"),
    ],
)
def test_everything_else_is_refused(make, secret, now, status, reason) -> None:
    body, headers = make()
    with pytest.raises(InteractionError) as err:
        parse_ack(body, headers, secret, now=now)
    assert err.value.status == status and reason in str(err.value)
