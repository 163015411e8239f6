"""Slack interactivity: the Acknowledge and Resolve buttons, each request verified before it counts.

Slack signs every request (``X-Slack-Signature`` over ``v0:<timestamp>:<body>``); slack-sdk's
:class:`SignatureVerifier` checks it and the five-minute window. A signature seen once within that
window is refused the second time, so a captured request cannot be replayed. Anything malformed
is an :class:`InteractionError` with a 4xx status, never an exception that escapes as a 500.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import parse_qs

from slack_sdk.signature import SignatureVerifier

from stream.alerts.blocks import ACK_ACTION, RESOLVE_ACTION

TOLERANCE = 300  # seconds; slack-sdk's window, and how long a signature is remembered against replays
MAX_BODY = 64 * 1024  # Slack's block_actions payloads are a few kilobytes
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() of a 5,000-digit string raises
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
ACTIONS = {ACK_ACTION: "ack", RESOLVE_ACTION: "resolve"}
NOT_AN_ACTION = "not an incident action payload (block_actions with Acknowledge or Resolve)"


class InteractionError(ValueError):
    """A request that is not a valid, signed incident action; ``status`` is the HTTP answer (4xx)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Interaction:
    """One officer's action on one incident: who (from Slack's payload) and when."""

    kind: str  # ack | resolve
    incident: str
    by: str
    user_id: str
    at: datetime


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature of a request (what Slack sends; for tests and stand-ins)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class _Clock:
    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        return self._now()


class InteractionGate:
    """Verifies Slack's requests and refuses replays; one per worker (signatures remembered in memory)."""

    def __init__(self, secret: str | None, now: Callable[[], float] = time.time) -> None:
        self.now = now
        self.verifier = SignatureVerifier(secret, clock=_Clock(now)) if secret else None
        self._seen: dict[str, float] = {}  # signature -> when it may be forgotten

    def check(self, body: bytes, headers: Mapping[str, str]) -> Interaction:
        """The action a genuine, first-seen request asks for, or :class:`InteractionError`."""
        if self.verifier is None:
            raise InteractionError("interactivity is off: no Slack signing secret configured", 403)
        self._forget_expired()
        if len(body) > MAX_BODY:
            raise InteractionError(f"request body over {MAX_BODY} bytes", 413)
        timestamp, signature = _header(headers, "X-Slack-Request-Timestamp"), _header(headers, "X-Slack-Signature")
        if not _TIMESTAMP.fullmatch(timestamp):
            raise InteractionError("X-Slack-Request-Timestamp must be Unix seconds (up to 12 digits)", 400)
        if not _SIGNATURE.fullmatch(signature):
            raise InteractionError("X-Slack-Signature must be 'v0=' and 64 hex digits", 400)
        if abs(self.now() - int(timestamp)) > TOLERANCE:
            raise InteractionError("stale X-Slack-Request-Timestamp (more than 5 minutes off)", 401)
        try:
            text = body.decode("utf-8")  # slack-sdk decodes it too, and would raise on bad bytes
        except UnicodeDecodeError:
            raise InteractionError("request body is not UTF-8", 400) from None
        if not self.verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            raise InteractionError("bad X-Slack-Signature", 401)
        self._remember(signature)
        return parse_action(body, int(timestamp))

    def _forget_expired(self) -> None:
        now = self.now()
        if any(until <= now for until in self._seen.values()):
            self._seen = {s: until for s, until in self._seen.items() if until > now}

    def _remember(self, signature: str) -> None:
        if signature in self._seen:
            raise InteractionError("replayed request: this signature was already used", 409)
        self._seen[signature] = self.now() + 2 * TOLERANCE  # covers a timestamp up to TOLERANCE in the future


def parse_action(body: bytes, timestamp: int) -> Interaction:
    """The incident action in a form-encoded ``block_actions`` request (the HTTP endpoint)."""
    try:
        payload = json.loads(parse_qs(body.decode(), strict_parsing=True)["payload"][0])
    except (KeyError, IndexError, ValueError):
        raise InteractionError(NOT_AN_ACTION) from None
    return action_from(payload, timestamp)


def action_from(payload: object, timestamp: float) -> Interaction:
    """The incident action in a ``block_actions`` payload: which button, which incident, who, when.

    ``timestamp`` is when the request came, for a payload whose action carries no ``action_ts``.
    """
    try:
        action = next(a for a in payload["actions"] if _kind(a.get("action_id")) in ACTIONS)
        user = payload["user"]
        who = user.get("username") or user.get("name") or user["id"]
        at = float(action.get("action_ts") or timestamp)
        incident = action["value"]
        if not isinstance(incident, str) or not isinstance(who, str) or not incident:
            raise TypeError("value and user must be text")
        return Interaction(ACTIONS[_kind(action["action_id"])], incident, who, str(user.get("id", who)),
                           datetime.fromtimestamp(at, timezone.utc))
    except (KeyError, IndexError, StopIteration, ValueError, AttributeError, TypeError, OverflowError):
        raise InteractionError(NOT_AN_ACTION) from None


def _kind(action_id: object) -> str | None:
    """``douane.ack:3`` (a digest line's button) is an acknowledgement like ``douane.ack``."""
    return action_id.split(":", 1)[0] if isinstance(action_id, str) else None


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    return value if isinstance(value, str) else ""
