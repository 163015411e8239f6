"""The incident desk: Faust tables and agents that turn findings into Slack alerts.

- ``douane.findings`` (keyed by tenant) → the ``incidents`` table, one entry per
  (tenant, rule, provider, destination). Co-partitioned with the tenant, so the worker
  that owns a tenant owns its incidents, and only that worker sends their alerts.
- ``douane.incidents`` carries commands keyed by tenant: Slack accepted a message,
  an officer acknowledged or resolved, a reminder or an automatic resolution is due, a
  provider failed. They are applied to the table inside the stream, in order, by the one
  worker that owns the tenant's partition, so the table's changelog has every change and
  a restarted worker resumes with what was and was not delivered. A reminder is sent
  there, against the table: asked for twice, or again after a restart, it goes out once.
- After every change a snapshot of the incident (with its ``transitions``) goes to
  ``douane.incidents`` for the store.
- Provider failures count into the ``outage-counts`` table (per minute, over the policy's
  window; ``stream.alerts.outage_window``); crossing a policy threshold opens a NIS2 incident
  with its Art. 23 clocks.
- A record Kafka delivers again (a worker stopped before its commit) is not counted again:
  each incident and each outage count keeps the mark of the last record counted in. Nor is a
  call the judge judged again (killed before its commit): they keep the marks of its source calls too.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime, timedelta, timezone

import faust

from douane.contract import DecodeError, Severity, decode_verdict
from douane.contract.source import read_source
from rules.policy import AlertRouting, Nis2Thresholds
from stream.alerts import incidents as inc
from stream.alerts import outage_window
from stream.alerts.interactions import MAX_BODY, Interaction, InteractionError, InteractionGate
from stream.alerts.outbox import Outbox
from stream.alerts.outputs import AlertOutput, WebhookOutput, told
from stream.alerts.places import seat_of
from stream.alerts.slack import SlackNotifier
from stream.alerts.socket_mode import SocketModeListener
from stream.graceful import to_the_end

logger = logging.getLogger(__name__)

SIGNALS = ("lockout", "error", "failover")


class IncidentDesk:
    """Registers the incident tables, agents and the delivery task on a Faust app."""

    def __init__(self, app: faust.App, findings_topic, partitions: int, policy_for, notifier: SlackNotifier,
                 signing_secret: str | None = None, provider_names: dict[str, str] | None = None,
                 web: bool = False, app_token: str | None = None,
                 seats: dict[str, frozenset[str]] | None = None) -> None:
        self.app = app
        self.policy_for = policy_for
        self.gate = InteractionGate(signing_secret)
        self.provider_names = provider_names or {}
        self.seats = seats or {}  # per provider, the seat-only countries (stream.alerts.places)
        self.clock = lambda: datetime.now(timezone.utc)
        self.commands = app.topic("douane.incidents", key_serializer="raw", value_serializer="raw")
        self.table = app.Table("incidents", default=None, partitions=partitions)
        self.signals = app.Table("outage-counts", default=None, partitions=partitions)
        self.outbox = Outbox(notifier, lambda t: self._policy(t).alerts,
                             lambda t: timedelta(hours=self._policy(t).nis2.reminder_hours),
                             quiet_period=self._quiet_period, takes=self._slack_takes)
        self.outputs: list[AlertOutput] = [self.outbox, WebhookOutput(self._outputs)]
        self.wake = asyncio.Event()
        self.alerts_sent = 0
        self.redelivered = 0  # records Kafka delivered again that were not counted again (for /metrics)
        app.agent(findings_topic, name="incidents")(self._on_findings)
        app.agent(self.commands, name="incident-commands")(self._on_commands)
        app.task(self._deliver_forever)
        self.reminders_sent = 0
        if web:
            self._serve_interactions()
        self.socket_mode = None
        if app_token:
            self.socket_mode = SocketModeListener(app_token, self.act, notifier.client.base_url)
            app.task(self._listen)

    async def _listen(self) -> None:
        """Socket Mode for as long as the worker runs: clicks arrive without a public URL."""
        await self.socket_mode.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.socket_mode.stop()

    def _serve_interactions(self) -> None:
        desk = self

        class SlackInteractions(faust.web.View):
            """POST /slack/interactions: Slack's interactivity request URL (the Acknowledge button)."""

            async def post(self, request):
                return await desk._interaction(self, request)

        self.app.page("/slack/interactions")(SlackInteractions)

    def _policy(self, tenant: str):
        return self.policy_for(tenant) or _DEFAULTS

    def _outputs(self, tenant: str) -> tuple:
        alerting = getattr(self._policy(tenant), "alerting", None)
        return alerting.outputs if alerting is not None else ()

    def _slack_takes(self, state: dict) -> bool:
        """Slack takes every alerting incident unless the policy routes Slack to some severities only."""
        routes = [o for o in self._outputs(state["tenant"]) if o.kind == "slack"]
        return not routes or any(o.takes(Severity(state["severity"])) for o in routes)

    def _may_ask(self, state: dict) -> bool:
        """Whether a delivered incident may still need a reminder or an automatic resolution."""
        if state["status"] == "resolved":
            return False
        return state.get("kind") == "nis2" or self._quiet_period(state["tenant"]) is not None

    def _quiet_period(self, tenant: str) -> timedelta | None:
        alerting = getattr(self._policy(tenant), "alerting", None)
        minutes = alerting.resolve_after_minutes if alerting is not None else None
        return timedelta(minutes=minutes) if minutes else None

    def _named(self, state: dict) -> dict:
        """The provider's and the shop's display names, and which destinations are only the seat, for the message."""
        policy = self.policy_for(state["tenant"])
        names = {"provider_name": self.provider_names.get(state["provider"]),
                 "seat": seat_of(state["destination"], self.seats.get(state["provider"], frozenset()))}
        if policy is not None:
            names["tenant_name"] = policy.controller.name
        return state | {k: v for k, v in names.items() if v}

    async def _on_findings(self, stream: faust.StreamT) -> None:
        async for record in stream.events():
            try:
                verdict = decode_verdict(record.value)
            except DecodeError as exc:
                logger.warning("skipping an undecodable verdict on douane.findings: %s", exc.reason)
                continue
            self._count(verdict, _position(record), read_source(record.headers))

    def _count(self, verdict, position: inc.Position | None = None, source: inc.Position | None = None) -> None:
        """Count the verdict's findings into their incidents, unless this record (at ``position``) or its call (at
        ``source`` on ``douane.ai-calls``) was counted before a restart."""
        routing = self._policy(verdict.tenant).alerts
        fresh: set[str] = set()  # incidents this record counted into: its next finding there is no repeat
        again = False
        for finding in verdict.findings:
            if finding.severity.rank < routing.min_severity.rank:
                continue
            key = inc.incident_id(verdict.tenant, finding.rule_id, verdict.provider, verdict.destinations)
            before = self.table.get(key)
            if key not in fresh and inc.counted(before, position, source):
                again = True
                continue
            fresh.add(key)
            state = inc.record_finding(before, verdict, finding, verdict.decided_at, self.clock(), position, source)
            self.table[key] = self._named(state)
            self.wake.set()
        self.redelivered += again

    async def _on_commands(self, stream: faust.StreamT) -> None:
        async for record in stream.events():
            try:
                command = json.loads(record.value)
            except ValueError as exc:
                logger.warning("skipping a bad command on douane.incidents: %s", exc)
                continue
            # finish what a command started (a reminder sent is recorded) before the stream acks it
            await to_the_end(self._handle(command, _position(record), record.message.timestamp,
                                          read_source(record.headers)))

    async def _handle(self, command: dict, position: inc.Position | None = None, sent: float | None = None,
                      source: inc.Position | None = None) -> None:
        """Apply one command (``sent``: its record's timestamp, ``source``: the call a signal came from); publish
        the incident's new state as a snapshot."""
        try:
            state = await self._apply(command, position, sent, source)
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            logger.warning("skipping a bad command on douane.incidents: %s", exc)
            return
        if state is not None:  # a snapshot for the store (the sink keeps the incidents table)
            snapshot = {"type": "state", "tenant": state["tenant"], "state": state}
            await self.commands.send(key=state["tenant"].encode(), value=json.dumps(snapshot).encode())

    async def _apply(self, command: dict, position: inc.Position | None = None,
                     sent: float | None = None, source: inc.Position | None = None) -> dict | None:
        """Apply one command to the table; the incident's new state when it changed in a way worth keeping."""
        kind = command["type"]
        if kind == "signal":
            self._signal(command, position, sent, source)
            return None
        before = self.table.get(command.get("incident"))
        if before is None or kind not in _APPLY:
            return None
        state = await _APPLY[kind](self, before, command)
        if state is before:
            return None
        self.table[state["id"]] = state
        return state

    async def _delivered(self, state: dict, command: dict) -> dict:
        self.outbox.forget(state["id"], command["version"])
        return dict(inc.delivered(state, command["version"], command["channel"], command["ts"]),
                    in_digest=command["in_digest"])

    async def _acknowledged(self, state: dict, command: dict) -> dict:
        self.wake.set()
        return inc.acknowledged(state, command["by"], datetime.fromisoformat(command["at"]), command.get("by_id"))

    async def _resolved(self, state: dict, command: dict) -> dict:
        """Resolve, by an officer; or automatically, if the incident is still quiet now it is its turn."""
        self.wake.set()
        if command.get("source") == "auto":
            if not inc.quiet(state, self.clock(), self._quiet_period(state["tenant"])):
                return state
            return inc.resolved(state, self.clock())
        return inc.resolved(state, datetime.fromisoformat(command["at"]), command["by"], command.get("by_id"))

    async def _remind(self, state: dict, command: dict) -> dict:
        """Send a due reminder unless the table says it went out; record it once Slack took it."""
        clock = command["clock"]
        lead = timedelta(hours=self._policy(state["tenant"]).nis2.reminder_hours)
        if clock not in inc.due_reminders(state, self.clock(), lead) or not state.get("ts"):
            return state
        if not await self.outbox.remind(state, clock):
            return state
        self.reminders_sent += 1
        return inc.reminded(state, clock)

    async def _reminded(self, state: dict, command: dict) -> dict:
        return inc.reminded(state, command["clock"])

    async def _told(self, state: dict, command: dict) -> dict:
        return told(state, command["output"], command["version"])

    def _signal(self, command: dict, position: inc.Position | None = None, sent: float | None = None,
                source: inc.Position | None = None) -> None:
        """A failed call counted per kind; one NIS2 incident per outage once any kind crosses its threshold.

        The outage counts and the incident each skip a record they counted already (Kafka delivered it again)
        and a signal of a call they counted already (the judge judged it again).
        """
        tenant, provider = command["tenant"], command["provider"]
        kinds = tuple(command.get("signals") or (command["signal"],))
        at = datetime.fromisoformat(command["at"])
        thresholds = self._policy(tenant).nis2
        ident, key = inc.incident_id(tenant, inc.OUTAGE_RULE, provider, ()), f"{tenant}|{provider}"
        state = self.table.get(ident)
        counted_already = inc.counted(state, position, source)
        self.redelivered += counted_already or inc.counted(self.signals.get(key), position, source)
        totals = self._counted(key, kinds, thresholds.window_minutes, (position, source),
                               sent if sent is not None else at.timestamp())
        if counted_already:
            return
        if state is not None:
            self.table[ident] = inc.record_signal(state, at, self.clock(), kinds, position, source)
        elif any(total >= getattr(thresholds, kind + "s") for kind, total in totals.items()):
            named = self.provider_names.get(provider)
            self.table[ident] = self._named(inc.open_nis2(tenant, provider, totals, thresholds.window_minutes, at,
                                                          provider_name=named, position=position, source=source))
            logger.warning("NIS2 incident opened: %s", ident)
        self.wake.set()

    def _counted(self, key: str, kinds: tuple[str, ...], window_minutes: int,
                 marks: tuple[inc.Position | None, inc.Position | None], sent: float) -> dict[str, int]:
        """One more failed call of each of ``kinds`` for ``key``, unless ``marks`` (the record's position, its
        call's) were counted; the totals of those kinds over the window."""
        minute = outage_window.minute_of(sent)
        before = self.signals.get(key)
        entry = outage_window.added(before, kinds, minute, window_minutes, *marks)
        if entry is not before:
            self.signals[key] = entry
        summed = outage_window.totals(entry, minute, window_minutes)
        return {kind: summed.get(kind, 0) for kind in kinds}

    async def _deliver_forever(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self.wake.wait(), timeout=1.0)
            except asyncio.TimeoutError:
                pass
            self.wake.clear()
            await to_the_end(self.deliver_once())  # what Slack took is recorded before the worker stops

    async def deliver_once(self) -> None:
        """Send what is due and record what Slack accepted."""
        states = [s for _, s in self.table.items() if s]
        slack = [s for s in states if inc.needs_delivery(s) or self._may_ask(s)]  # the rest: nothing to do
        commands = []
        for output in self.outputs:
            commands += await output.flush(slack if output is self.outbox else states, self.clock())
        for command in commands:
            self.alerts_sent += command["type"] == "delivered" and command["ts"] is not None
            await self.commands.send(key=command["tenant"].encode(), value=json.dumps(command).encode())

    async def _interaction(self, view, request):
        try:
            body = await request.content.read(MAX_BODY + 1)
            action = self.gate.check(body, request.headers)
        except InteractionError as exc:
            logger.warning("refused a Slack interaction: %s", exc)
            return view.json({"error": str(exc)}, status=exc.status)
        await self.act(action)
        return view.json({})

    async def act(self, action: Interaction) -> None:
        """An officer's verified action (from the HTTP endpoint or Socket Mode) as a command for the table."""
        command = {"type": action.kind, "incident": action.incident, "tenant": action.incident.split("|", 1)[0],
                   "by": action.by, "by_id": action.user_id, "at": action.at.isoformat(), "source": "slack"}
        await self.commands.send(key=command["tenant"].encode(), value=json.dumps(command).encode())


_APPLY = {"delivered": IncidentDesk._delivered, "ack": IncidentDesk._acknowledged,
          "resolve": IncidentDesk._resolved, "remind": IncidentDesk._remind, "reminded": IncidentDesk._reminded,
          "told": IncidentDesk._told}


class _Defaults:
    """Alert routing and NIS2 thresholds for a tenant no policy governs."""

    alerts = AlertRouting()
    nis2 = Nis2Thresholds()
    alerting = None


_DEFAULTS = _Defaults()


def _position(record) -> inc.Position:
    """Where a Faust event's record sits on its topic."""
    return record.message.partition, record.message.offset


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


