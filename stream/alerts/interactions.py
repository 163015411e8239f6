"""Slack interactivity: the Acknowledge button, with Slack's request signature checked."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs

from stream.alerts.blocks import ACK_ACTION

MAX_SKEW = 300  # seconds; Slack's own recommendation against replays


class InteractionError(ValueError):
    """A request that is not a valid, signed acknowledgement; ``status`` is the HTTP answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def parse_ack(body: bytes, headers, secret: str | None, now: float | None = None) -> tuple[str, str]:
    """(incident id, who) from a signed ``block_actions`` request, or :class:`InteractionError`."""
    if not secret:
        raise InteractionError("interactivity is off: no Slack signing secret configured", 403)
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    if not timestamp.isdigit() or abs((now or time.time()) - int(timestamp)) > MAX_SKEW:
        raise InteractionError("missing or stale X-Slack-Request-Timestamp", 401)
    if not hmac.compare_digest(sign(secret, timestamp, body), headers.get("X-Slack-Signature", "")):
        raise InteractionError("bad X-Slack-Signature", 401)
    try:
        payload = json.loads(parse_qs(body.decode())["payload"][0])
        action = next(a for a in payload["actions"] if a.get("action_id") == ACK_ACTION)
        user = payload["user"].get("username") or payload["user"].get("name") or payload["user"]["id"]
        return action["value"], user
    except (KeyError, IndexError, StopIteration, ValueError, AttributeError):
        raise InteractionError("not an acknowledgement payload") from None
