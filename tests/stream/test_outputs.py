"""Alert outputs beyond Slack: the signed JSON webhook, routed by severity from the policy."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pytest
from aiohttp import web
from pydantic import ValidationError

from deploy.standins.server import ThreadedServer
from douane.contract import Severity
from rules.alerting import AlertOutput as OutputConfig
from rules.alerting import Alerting
from stream.alerts import incidents as inc
from stream.alerts.outputs import SIGNATURE_HEADER, WebhookOutput, told
from tests.stream.test_outbox import NOW, incident

KEY = "whsec-test-key"


@dataclass
class Receiver(ThreadedServer):
    """A shop's own alert endpoint: keeps what it received, answers ``status``."""

    received: list[tuple[dict, bytes]] = field(default_factory=list)
    status: int = 204

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/hook", self._hook)

    async def _hook(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        return web.Response(status=self.status)


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def verified(headers: dict, body: bytes, key: str = KEY) -> dict:
    """What a receiver does: check the HMAC over "<t>.<body>", then read the JSON."""
    parts = dict(p.split("=", 1) for p in headers[SIGNATURE_HEADER].split(","))
    expected = hmac.new(key.encode(), parts["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "the signature checks out with the shared key"
    return json.loads(body)


def webhook(receiver: Receiver, clock: Clock, severities: tuple[Severity, ...] = ()) -> WebhookOutput:
    out = OutputConfig(name="pager", kind="webhook", url=f"{receiver.origin}/hook", secret_env="PAGER_KEY",
                       severities=severities)
    return WebhookOutput(lambda tenant: (out,), env={"PAGER_KEY": KEY}, monotonic=clock)


async def test_only_the_routed_severities_reach_the_webhook_signed(receiver) -> None:
    clock = Clock()
    hook = webhook(receiver, clock, (Severity.HIGH, Severity.CRITICAL))
    states = [incident("r-crit", Severity.CRITICAL), incident("r-med", Severity.MEDIUM),
              incident("r-high", Severity.HIGH)]
    commands = await hook.flush(states, NOW)
    assert sorted(c["incident"].split("|")[1] for c in commands) == ["r-crit", "r-high"]
    bodies = [verified(h, b) for h, b in receiver.received]
    assert sorted(b["incident"]["severity"] for b in bodies) == ["critical", "high"]
    assert all(b["type"] == "douane.incident" and "ts" not in b["incident"] for b in bodies)
    assert bodies[0]["incident"]["transitions"][0]["to"] == "open"
    assert await hook.flush(states, NOW) == [], "a version is told once"


async def test_a_refusing_webhook_is_retried_with_backoff_never_dropped(receiver) -> None:
    clock = Clock()
    hook = webhook(receiver, clock)
    state = incident()
    receiver.status = 503
    assert await hook.flush([state], NOW) == []
    assert await hook.flush([state], NOW) == [] and len(receiver.received) == 1, "waits before retrying"
    receiver.status = 200
    clock.t += 2
    [command] = await hook.flush([state], NOW)
    assert command == {"type": "told", "output": "pager", "incident": state["id"], "tenant": state["tenant"],
                       "version": state["version"]}
    state = told(state, "pager", command["version"])
    resolved = inc.resolved(state, datetime(2026, 11, 21, 13, tzinfo=timezone.utc), "lena", "U9")
    await hook.flush([resolved], NOW)
    last = verified(*receiver.received[-1])
    assert last["incident"]["status"] == "resolved" and last["incident"]["transitions"][-1]["by"] == "lena"


async def test_a_missing_key_keeps_the_alert_pending_with_the_reason(receiver) -> None:
    out = OutputConfig(name="pager", kind="webhook", url=f"{receiver.origin}/hook", secret_env="NOT_SET")
    hook = WebhookOutput(lambda tenant: (out,), env={})
    assert await hook.flush([incident()], NOW) == []
    assert "$NOT_SET is not set" in next(iter(hook.pending_errors.values()))
    assert not receiver.received, "nothing unsigned ever leaves"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"outputs": [{"name": "pager", "kind": "webhook", "url": "https://x"}]}, "needs 'url' and 'secret_env'"),
        ({"outputs": [{"name": "a", "kind": "slack"}, {"name": "a", "kind": "slack"}]}, "defined twice"),
        ({"outputs": [{"name": "a", "kind": "teams"}]}, "'slack' or 'webhook'"),
        ({"resolve_after_minutes": 0}, "greater than or equal to 1"),
    ],
)
def test_bad_alerting_settings_say_what_is_wrong(config, message) -> None:
    with pytest.raises(ValidationError) as err:
        Alerting.model_validate(config)
    assert message in str(err.value)
