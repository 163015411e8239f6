"""The incident desk: Faust tables and agents that turn findings into Slack alerts.

- ``douane.findings`` (keyed by tenant) → the ``incidents`` table, one entry per
  (tenant, rule, provider, destination). Co-partitioned with the tenant, so the worker
  that owns a tenant owns its incidents, and only that worker sends their alerts.
- ``douane.incidents`` carries commands keyed by tenant: Slack accepted a message,
  an officer acknowledged, a reminder went out, a provider failed. They are applied to
  the table inside the stream, so the table's changelog has every change and a
  restarted worker resumes with what was and was not delivered.
- Provider failures count into a windowed table (1-minute tumbling windows); crossing
  a policy threshold opens a NIS2 incident with its Art. 23 clocks.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone

import faust

from douane.contract import DecodeError, decode_verdict
from rules.policy import AlertRouting, Nis2Thresholds
from stream.alerts import incidents as inc
from stream.alerts.interactions import InteractionError, parse_ack
from stream.alerts.outbox import Outbox
from stream.alerts.slack import SlackNotifier

logger = logging.getLogger(__name__)

SIGNALS = ("lockout", "error", "failover")


class IncidentDesk:
    """Registers the incident tables, agents and the delivery task on a Faust app."""

    def __init__(self, app: faust.App, findings_topic, partitions: int, policy_for, notifier: SlackNotifier,
                 signing_secret: str | None = None) -> None:
        self.app = app
        self.policy_for = policy_for
        self.signing_secret = signing_secret
        self.commands = app.topic("douane.incidents", key_serializer="raw", value_serializer="raw")
        self.table = app.Table("incidents", default=None, partitions=partitions)
        self.signals = app.Table("provider-signals", default=int, partitions=partitions).tumbling(
            timedelta(minutes=1), expires=timedelta(hours=2))
        self.outbox = Outbox(notifier, lambda t: self._policy(t).alerts,
                             lambda t: timedelta(hours=self._policy(t).nis2.reminder_hours))
        self.wake = asyncio.Event()
        self.alerts_sent = 0
        app.agent(findings_topic, name="incidents")(self._on_findings)
        app.agent(self.commands, name="incident-commands")(self._on_commands)
        app.task(self._deliver_forever)
        desk = self

        class SlackInteractions(faust.web.View):
            """POST /slack/interactions: Slack's interactivity request URL (the Acknowledge button)."""

            async def post(self, request):
                return await desk._interaction(self, request)

        app.page("/slack/interactions")(SlackInteractions)

    def _policy(self, tenant: str):
        return self.policy_for(tenant) or _DEFAULTS

    async def _on_findings(self, stream: faust.StreamT) -> None:
        async for record in stream.events():
            try:
                verdict = decode_verdict(record.value)
            except DecodeError as exc:
                logger.warning("skipping an undecodable verdict on douane.findings: %s", exc.reason)
                continue
            self._count(verdict)

    def _count(self, verdict) -> None:
        routing = self._policy(verdict.tenant).alerts
        for finding in verdict.findings:
            if finding.severity.rank < routing.min_severity.rank:
                continue
            key = inc.incident_id(verdict.tenant, finding.rule_id, verdict.provider, verdict.destinations)
            self.table[key] = inc.record_finding(self.table.get(key), verdict, finding, verdict.decided_at)
            self.wake.set()

    async def _on_commands(self, stream: faust.StreamT) -> None:
        async for record in stream.events():
            try:
                state = self._apply(json.loads(record.value))
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning("skipping a bad command on douane.incidents: %s", exc)
                continue
            if state is not None:  # a snapshot for the store (the sink keeps the incidents table)
                snapshot = {"type": "state", "tenant": state["tenant"], "state": state}
                await self.commands.send(key=state["tenant"].encode(), value=json.dumps(snapshot).encode())

    def _apply(self, command: dict) -> dict | None:
        """Apply one command to the table; the incident's new state when it changed in a way worth keeping."""
        kind = command["type"]
        if kind == "signal":
            self._signal(command)
            return None
        state = self.table.get(command.get("incident"))
        if state is None:
            return None
        if kind == "delivered":
            state = dict(inc.delivered(state, command["version"], command["channel"], command["ts"]),
                         in_digest=command["in_digest"])
            self.outbox.forget(state["id"], command["version"])
        elif kind == "ack":
            state = inc.acknowledged(state, command["by"], datetime.fromisoformat(command["at"]))
            self.wake.set()
        elif kind == "reminded":
            state = inc.reminded(state, command["clock"])
        else:
            return None
        self.table[state["id"]] = state
        return state

    def _signal(self, command: dict) -> None:
        tenant, provider, signal = command["tenant"], command["provider"], command["signal"]
        at = datetime.fromisoformat(command["at"])
        key = f"{tenant}|{provider}|{signal}"
        self.signals[key] += 1
        thresholds = self._policy(tenant).nis2
        window = thresholds.window_minutes
        total = sum(self.signals[key].delta(timedelta(minutes=m)) for m in range(window))
        ident = inc.incident_id(tenant, f"nis2.provider-{signal}", provider, ())
        state = self.table.get(ident)
        if state is not None:
            self.table[ident] = inc.record_signal(state, at)
        elif total >= getattr(thresholds, signal + "s"):
            self.table[ident] = inc.open_nis2(tenant, provider, signal, total, window, at)
            logger.warning("NIS2 incident opened: %s", ident)
        self.wake.set()

    async def _deliver_forever(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
            self.wake.clear()
            await self.deliver_once()

    async def deliver_once(self) -> None:
        """Send what is due and record what Slack accepted."""
        states = [s for _, s in self.table.items() if s and (inc.needs_delivery(s) or s.get("kind") == "nis2")]
        if not states:
            return
        commands = await self.outbox.flush(states, datetime.now(timezone.utc))
        for command in commands:
            self.alerts_sent += command["type"] == "delivered"
            await self.commands.send(key=command["tenant"].encode(), value=json.dumps(command).encode())

    async def _interaction(self, view, request):
        body = await request.read()
        try:
            incident, user = parse_ack(body, request.headers, self.signing_secret)
        except InteractionError as exc:
            logger.warning("refused a Slack interaction: %s", exc)
            return view.json({"error": str(exc)}, status=exc.status)
        command = {"type": "ack", "incident": incident, "tenant": incident.split("|", 1)[0], "by": user,
                   "at": datetime.now(timezone.utc).isoformat()}
        await self.commands.send(key=command["tenant"].encode(), value=json.dumps(command).encode())
        return view.json({})


class _Defaults:
    """Alert routing and NIS2 thresholds for a tenant no policy governs."""

    alerts = AlertRouting()
    nis2 = Nis2Thresholds()


_DEFAULTS = _Defaults()


def signal_of(event) -> list[str]:
    """The NIS2 signals an event gives: lockouts, errors, failovers."""
    error = event.outcome.error_class.value if event.outcome.error_class else None
    signals = []
    if error in ("lockout_403", "lockout_451"):
        signals.append("lockout")
    elif error in ("timeout", "upstream_5xx", "connection_error"):
        signals.append("error")
    if event.outcome.action.value == "failed_over":
        signals.append("failover")
    return signals


