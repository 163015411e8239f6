"""Alert outputs: where incidents are told. One small ABC; Slack and a signed JSON webhook are the first two.

An output gets the incidents that may need telling and returns commands that record
what it delivered (through ``douane.incidents``, so a restarted worker knows). It never
drops an incident: one it could not deliver stays due and is tried again later.
Which severities go to which output is the policy's ``alerting.outputs``; a shop routes
to Teams, PagerDuty or its own system by pointing a webhook at it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import os
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime

import aiohttp

from douane.contract import Severity
from rules.alerting import AlertOutput as OutputConfig

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Douane-Signature"
MAX_BACKOFF = 300.0
# What a webhook receives of an incident: what happened and its life cycle, not Slack's bookkeeping.
_SHARED = ("id", "kind", "tenant", "tenant_name", "rule_id", "title", "severity", "status", "provider",
           "provider_name", "destination", "count", "first_seen", "last_seen", "articles", "explanation",
           "remediation", "clocks", "transitions", "previous", "version")


class AlertOutput(ABC):
    """One destination for incident alerts."""

    name: str = "output"

    @abstractmethod
    async def flush(self, states: list[dict], now: datetime) -> list[dict]:
        """Deliver what is due to this output; the commands recording what it accepted."""


def signature(key: bytes, timestamp: str, body: bytes) -> str:
    """``t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">``: how a receiver checks a delivery."""
    digest = hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class WebhookOutput(AlertOutput):
    """POSTs each new version of an incident as JSON to the policy's webhooks, HMAC-signed."""

    name = "webhook"

    def __init__(self, outputs_for: Callable[[str], tuple[OutputConfig, ...]], env: Mapping[str, str] = os.environ,
                 timeout: float = 5.0, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.outputs_for = outputs_for
        self.env = env
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.monotonic = monotonic
        self._retry_at: dict[tuple[str, str], tuple[float, float]] = {}  # (output, incident) -> (when, backoff)
        self._sent: dict[tuple[str, str], int] = {}  # accepted, until the state records it
        self.pending_errors: dict[tuple[str, str], str] = {}

    async def flush(self, states: list[dict], now: datetime) -> list[dict]:
        """Send every incident version a webhook has not taken yet."""
        tenants = {s["tenant"] for s in states}
        hooked = {t for t in tenants if any(o.kind == "webhook" for o in self.outputs_for(t))}
        due = [(out, s) for s in states if s["tenant"] in hooked for out in self._routes(s) if self._due(out, s)]
        if not due:
            return []
        async with aiohttp.ClientSession(timeout=self.timeout) as http:
            sent = await asyncio.gather(*(self._post(http, out, s, now) for out, s in due))
        return [command for command in sent if command]

    def _routes(self, state: dict) -> list[OutputConfig]:
        severity = Severity(state["severity"])
        return [o for o in self.outputs_for(state["tenant"]) if o.kind == "webhook" and o.takes(severity)]

    def _due(self, out: OutputConfig, state: dict) -> bool:
        key = (out.name, state["id"])
        told = max(state.get("outputs", {}).get(out.name, 0), self._sent.get(key, 0))
        return told < state["version"] and self.monotonic() >= self._retry_at.get(key, (0.0, 0.0))[0]

    async def _post(self, http: aiohttp.ClientSession, out: OutputConfig, state: dict, now: datetime) -> dict | None:
        key = (out.name, state["id"])
        secret = self.env.get(out.secret_env or "")
        if not secret:
            return self._failed(key, f"${out.secret_env} is not set: the webhook's signing key is missing")
        body = json.dumps({"type": "douane.incident", "sent_at": now.isoformat(),
                           "incident": {k: state[k] for k in _SHARED if k in state}}).encode()
        stamp = str(int(time.time()))
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(secret.encode(), stamp, body)}
        try:
            async with http.post(out.url, data=body, headers=headers) as answer:
                if answer.status >= 300:
                    return self._failed(key, f"HTTP {answer.status}")
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            return self._failed(key, f"cannot reach the webhook: {type(exc).__name__}")
        self._retry_at.pop(key, None)
        self.pending_errors.pop(key, None)
        self._sent[key] = state["version"]
        return {"type": "told", "output": out.name, "incident": state["id"], "tenant": state["tenant"],
                "version": state["version"]}

    def _failed(self, key: tuple[str, str], reason: str) -> None:
        backoff = min(self._retry_at.get(key, (0.0, 0.5))[1] * 2, MAX_BACKOFF)
        self._retry_at[key] = (self.monotonic() + backoff, backoff)
        if self.pending_errors.get(key) != reason:
            logger.warning("webhook %s did not take incident %s (%s); retrying", key[0], key[1], reason)
        self.pending_errors[key] = reason
        return None


def told(state: dict, output: str, version: int) -> dict:
    """An output accepted ``version`` of the incident."""
    outputs = dict(state.get("outputs", {}))
    outputs[output] = max(outputs.get(output, 0), version)
    return dict(state, outputs=outputs)
