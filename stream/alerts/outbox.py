"""What to send to Slack now, and what Slack accepted.

Given the incidents that need delivery, the outbox posts a message per incident (or
updates it in place), rolls new low- and medium-severity incidents into one digest per
tenant and channel once ``digest_after`` messages went out within the window (high and
critical ones always get their own message), and honours 429 Retry-After and backoff.
It returns commands describing what was delivered; the caller records them (through
Kafka) so the state says so. Nothing is dropped: an incident Slack has not taken stays due.

NIS2 reminders and automatic resolutions are not sent from here: ``flush`` asks for them
(``remind`` and ``resolve`` commands), and the owner of the incident's partition decides
once, in order, against the table, then calls :meth:`Outbox.remind`. A reminder therefore
goes out once per incident and deadline, however often it is asked for.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import OrderedDict, defaultdict, deque
from collections.abc import Callable
from datetime import datetime, timedelta

from douane.contract import Severity
from rules.policy import AlertRouting
from stream.alerts import blocks
from stream.alerts.incidents import due_reminders, needs_delivery, quiet
from stream.alerts.outputs import AlertOutput
from stream.alerts.slack import DeliveryError, SlackNotifier

logger = logging.getLogger(__name__)

MAX_BACKOFF = 300.0
PERMANENT_BACKOFF = 600.0
ASK_AGAIN = 30.0  # seconds before a remind/resolve request not yet applied is asked for again
DIGESTIBLE = frozenset({Severity.INFO, Severity.LOW, Severity.MEDIUM})
SHOWN = 4096
"""Messages whose last render the outbox remembers, least recently sent first out. A message forgotten
costs one update that changes nothing, the next time it is sent unchanged."""
LINKS = 4096
"""Permalinks of earlier messages the outbox remembers, oldest first out. One forgotten costs one
``chat.getPermalink`` call the next time a reopened incident's message is updated."""


class Outbox(AlertOutput):
    """Delivers incident messages to Slack; one instance per worker, for the incidents that worker owns."""

    name = "slack"

    def __init__(self, notifier: SlackNotifier, routing_for: Callable[[str], AlertRouting],
                 reminder_lead: Callable[[str], timedelta], monotonic: Callable[[], float] = time.monotonic,
                 quiet_period: Callable[[str], timedelta | None] = lambda tenant: None,
                 takes: Callable[[dict], bool] = lambda state: True) -> None:
        self.notifier = notifier
        self.routing_for = routing_for
        self.reminder_lead = reminder_lead
        self.quiet_period = quiet_period
        self.takes = takes  # the policy's severity routing: an incident Slack does not take is never posted
        self.monotonic = monotonic
        # Each of these is pruned in every flush (``_prune``): what no longer changes a decision is dropped.
        self._asked: dict[tuple[str, str], float] = {}  # (incident, what) -> when a request was last made
        self._links: dict[tuple[str, str], str] = {}  # (channel, ts) of a resolved message -> its permalink
        self._not_before: dict[str, float] = {}  # per incident, and "slack" for a global 429
        self._backoff: dict[str, float] = {}
        self._sent: dict[str, dict] = {}  # what Slack took per incident, until the state records it
        self._posts: dict[tuple[str, str], deque[datetime]] = defaultdict(deque)
        self._digests: dict[tuple[str, str], dict[str, dict]] = {}  # (channel, ts) -> members sent so far
        self._digest_at: dict[tuple[str, str], float] = {}  # (channel, ts) of a digest -> when it was last sent
        self._shown: OrderedDict[tuple[str, str], bytes] = OrderedDict()  # (channel, ts) -> hash of its render
        self.shown_limit = SHOWN
        self._last_update: dict[str, tuple[float, str]] = {}  # incident -> (coalesce until, status last sent)
        self.pending_errors: dict[str, str] = {}
        self._thread_unreadable = False
        self.failed_deliveries = 0  # for /metrics

    async def flush(self, states: list[dict], now: datetime) -> list[dict]:
        """Send what is due; the commands recording what Slack accepted."""
        self._prune()
        commands: list[dict] = []
        by_id = {s["id"]: s for s in states}
        for state in sorted((self._overlay(s) for s in states), key=lambda s: s["first_seen"]):
            by_id[state["id"]] = state
            if self._blocked(state["id"]):
                continue
            if needs_delivery(state) and not self.takes(state):
                commands.append(self._delivered(state, None, None, in_digest=False))
            elif needs_delivery(state) and not self._coalescing(state):
                command = await self._attempt(state, by_id, now, self._deliver)
                if command:
                    commands.append(command)
            commands.extend(self._requests(state, now))
        return commands

    def _prune(self) -> None:
        """Forget what can no longer change a decision, so memory follows the live incidents, not history:
        a request older than ``ASK_AGAIN``, a wait that is over, a coalescing interval that ran out."""
        at = self.monotonic()
        self._asked = {key: asked for key, asked in self._asked.items() if at - asked < ASK_AGAIN}
        self._not_before = {key: until for key, until in self._not_before.items() if at < until}
        self._last_update = {key: sent for key, sent in self._last_update.items() if at < sent[0]}

    def held(self) -> dict[str, int]:
        """How many entries each of the outbox's memories holds (for /metrics and the tests of their bounds)."""
        return {"asked": len(self._asked), "not_before": len(self._not_before), "last_update": len(self._last_update),
                "digests": len(self._digests), "links": len(self._links), "shown": len(self._shown),
                "sent": len(self._sent)}

    def _requests(self, state: dict, now: datetime) -> list[dict]:
        """Reminders due and a quiet incident to resolve, each asked for at most every ``ASK_AGAIN`` s."""
        wanted = [("remind", clock) for clock in due_reminders(state, now, self.reminder_lead(state["tenant"]))
                  if state.get("ts")]
        if quiet(state, now, self.quiet_period(state["tenant"])):
            wanted.append(("resolve", None))
        asks = []
        for kind, clock in wanted:
            key, at = (state["id"], f"{kind}:{clock}"), self.monotonic()
            if at - self._asked.get(key, -ASK_AGAIN) < ASK_AGAIN:
                continue
            self._asked[key] = at
            ask = {"type": kind, "incident": state["id"], "tenant": state["tenant"], "at": now.isoformat()}
            asks.append(ask | ({"clock": clock} if clock else {"source": "auto"}))
        return asks

    async def remind(self, state: dict, clock: str) -> bool:
        """Reply in the incident's thread that ``clock`` is due; False when Slack did not take it (retried later).

        The thread is read first: a reminder that went out just before a worker was killed,
        and so was never recorded, is not sent a second time.
        """
        if self._blocked(state["id"]):
            return False
        try:
            if not await self._in_thread(state, blocks.reminder_mark(state, clock)):
                await self.notifier.reply(state["channel"], state["ts"], blocks.reminder_text(state, clock))
        except DeliveryError as exc:
            self._failed(state["id"], exc)
            return False
        self._asked.pop((state["id"], f"remind:{clock}"), None)
        return True

    async def _in_thread(self, state: dict, mark: str) -> bool:
        """Whether a reply in the incident's thread carries ``mark``; False when the thread cannot be read."""
        if self._thread_unreadable:
            return False
        try:
            return any(mark in text for text in await self.notifier.replies(state["channel"], state["ts"]))
        except DeliveryError as exc:
            if exc.reason != "missing_scope":
                raise
            self._thread_unreadable = True  # e.g. missing_scope: remind without the check (a kill may repeat one)
            logger.warning("cannot read Slack threads (%s): reminders go out without the duplicate check; grant "
                           "the bot channels:history (groups:history for private channels)", exc.reason)
            return False

    async def _attempt(self, state: dict, by_id: dict, now: datetime, action, *args) -> dict | None:
        try:
            command = await action(state, by_id, now, *args)
        except DeliveryError as exc:
            self._failed(state["id"], exc)
            return None
        self._backoff.pop(state["id"], None)
        self.pending_errors.pop(state["id"], None)
        return command

    async def _deliver(self, state: dict, by_id: dict, now: datetime) -> dict | None:
        routing = self.routing_for(state["tenant"])
        channel = routing.channel_for(_severity(state))
        digestible = _severity(state) in DIGESTIBLE
        if state.get("in_digest") and state.get("channel") == channel and digestible:
            return await self._to_digest(state, by_id, channel, state["ts"])
        if state.get("ts") and state.get("channel") == channel and not state.get("in_digest"):
            link = await self._previous_link(state)
            ts = await self._send(channel, state["ts"], blocks.incident_text(state),
                                  blocks.incident_blocks(state, link))
            return self._delivered(state, channel, ts, in_digest=False)
        if digestible and self._digest_due(state["tenant"], channel, routing, now):
            digest_ts = self._open_digest_ts(state, by_id, channel)
            command = await self._to_digest(state, by_id, channel, digest_ts)
            if command is None:
                return None
        else:
            link = await self._previous_link(state)
            ts = await self._send(channel, None, blocks.incident_text(state), blocks.incident_blocks(state, link))
            self._posts[(state["tenant"], channel)].append(now)
            command = self._delivered(state, channel, ts, in_digest=False)
        await self._leave_pointer(state, by_id, command)
        return command

    async def _leave_pointer(self, state: dict, by_id: dict, command: dict) -> None:
        """The incident's earlier message (or digest line) now points at where it went, without buttons.

        Best effort: the new message is already posted, so a failure here is logged, not retried.
        """
        old = (state.get("channel"), state.get("ts"))
        by_id[state["id"]] = {**state, "channel": command["channel"], "ts": command["ts"],
                              "in_digest": command["in_digest"]}
        if old[1] is None or old == (command["channel"], command["ts"]):
            return
        try:
            link = await self._link(command["channel"], command["ts"])
            if state.get("in_digest"):
                members = self._digest_members(by_id, *old)
                members[state["id"]] = {**state, "moved_to": command["channel"], "moved_link": link}
                await self._send_digest(state["tenant"], old[0], old[1], members)
            else:
                await self._send(old[0], old[1], blocks.moved_text(state, command["channel"]),
                                 blocks.moved_blocks(state, command["channel"], link))
        except DeliveryError as exc:
            logger.warning("the earlier message of incident %s still shows it (%s)", state["id"], exc.reason)

    async def _link(self, channel: str, ts: str) -> str | None:
        try:
            return await self.notifier.permalink(channel, ts)
        except DeliveryError as exc:
            logger.info("no permalink to %s %s: %s", channel, ts, exc.reason)
            return None

    async def _send(self, channel: str, ts: str | None, text: str, shown: list[dict]) -> str:
        """Post, or update ``ts`` only when what it shows changed (the same render twice is one call)."""
        rendered = hashlib.blake2b(json.dumps([text, shown], sort_keys=True).encode(), digest_size=16).digest()
        if ts is not None and self._shown.get((channel, ts)) == rendered:
            self._shown.move_to_end((channel, ts))
            return ts
        ts = await self.notifier.send(channel, ts, text, shown)
        self._shown[(channel, ts)] = rendered
        self._shown.move_to_end((channel, ts))
        while len(self._shown) > self.shown_limit:
            self._shown.popitem(last=False)
        return ts

    async def _previous_link(self, state: dict) -> str | None:
        """A permalink to the message of the incident this one reopens; none if Slack cannot give one."""
        previous = state.get("previous") or {}
        if not previous.get("ts"):
            return None
        key = (previous["channel"], previous["ts"])
        if key not in self._links:  # asked once per worker, kept for the updates of the new message
            try:
                self._links[key] = await self.notifier.permalink(*key)
            except DeliveryError as exc:
                logger.info("no permalink to the earlier message of %s: %s", state["id"], exc.reason)
                return None
            while len(self._links) > LINKS:
                del self._links[next(iter(self._links))]
        return self._links[key]

    async def _to_digest(self, state: dict, by_id: dict, channel: str, digest_ts: str | None) -> dict | None:
        if self._digest_waits(state, channel, digest_ts):
            return None  # stays due: the next pass after the interval carries it
        members = self._digest_members(by_id, channel, digest_ts)
        members[state["id"]] = state
        ts = await self._send_digest(state["tenant"], channel, digest_ts, members)
        return self._delivered(state, channel, ts, in_digest=True)

    def _digest_waits(self, state: dict, channel: str, digest_ts: str | None) -> bool:
        """A digest is one message: a member whose only change is its counts waits ``update_every_seconds``
        since the digest's last update, whichever member caused it."""
        listed = self._digests.get((channel, digest_ts or ""), {}).get(state["id"])
        if listed is None or listed["status"] != state["status"] or listed.get("moved_to"):
            return False
        if listed["version"] >= state["version"]:
            return False  # the digest already shows this version (another member's update carried it)
        interval = self.routing_for(state["tenant"]).update_every_seconds
        return self.monotonic() - self._digest_at.get((channel, digest_ts), -interval) < interval

    def _digest_members(self, by_id: dict, channel: str, digest_ts: str | None) -> dict[str, dict]:
        """The incidents a digest lists: those sent so far, with the newest states this pass knows."""
        if digest_ts is None:
            return {}
        members = dict(self._digests.get((channel, digest_ts), {}))
        members.update({s["id"]: s for s in by_id.values() if s.get("in_digest") and s.get("ts") == digest_ts
                        and s.get("channel") == channel and (s["id"] not in members or self._stays(s, channel))})
        return members

    def _stays(self, state: dict, channel: str) -> bool:
        """Whether a digest member's newest state still belongs in the digest (one leaving keeps its shown line
        until its own delivery moves it out: a high incident is never a digest line with a button)."""
        severity = _severity(state)
        return severity in DIGESTIBLE and self.routing_for(state["tenant"]).channel_for(severity) == channel

    async def _send_digest(self, tenant: str, channel: str, digest_ts: str | None, members: dict[str, dict]) -> str:
        listed = list(members.values())
        ts = await self._send(channel, digest_ts, blocks.digest_text(tenant, listed),
                              blocks.digest_blocks(tenant, listed))
        if all(m["status"] == "resolved" or m.get("moved_to") for m in listed):
            # final: no line of it changes again (a reopened incident gets a message of its own)
            self._digests.pop((channel, ts), None)
            self._digest_at.pop((channel, ts), None)
            return ts
        self._digests[(channel, ts)] = members
        self._digest_at[(channel, ts)] = self.monotonic()
        return ts

    def _digest_due(self, tenant: str, channel: str, routing: AlertRouting, now: datetime) -> bool:
        posts = self._posts[(tenant, channel)]
        window = timedelta(minutes=routing.digest_window_minutes)
        while posts and now - posts[0] > window:
            posts.popleft()
        return len(posts) >= routing.digest_after

    def _open_digest_ts(self, state: dict, by_id: dict, channel: str) -> str | None:
        """The digest message already open for this tenant and channel, if any (newest)."""
        known = [s["ts"] for s in by_id.values() if s.get("in_digest") and s.get("channel") == channel
                 and s["tenant"] == state["tenant"] and s.get("ts")]
        known += [ts for (ch, ts), members in self._digests.items()
                  if ch == channel and any(m["tenant"] == state["tenant"] for m in members.values())]
        return max(known, default=None)

    def _coalescing(self, state: dict) -> bool:
        """A posted message whose only change is its counts waits ``update_every_seconds`` between updates."""
        sent = self._last_update.get(state["id"])
        if sent is None or not state.get("ts") or state["status"] != sent[1]:
            return False
        return self.monotonic() < sent[0]

    def _overlay(self, state: dict) -> dict:
        """The state as Slack knows it: deliveries not yet recorded in the table are applied here."""
        sent = self._sent.get(state["id"])
        if sent is None or sent["version"] <= state["delivered_version"]:
            return state
        return {**state, "channel": sent["channel"], "ts": sent["ts"], "in_digest": sent["in_digest"],
                "delivered_version": sent["version"]}

    def _delivered(self, state: dict, channel: str | None, ts: str | None, in_digest: bool) -> dict:
        self._sent[state["id"]] = {"version": state["version"], "channel": channel, "ts": ts, "in_digest": in_digest}
        interval = self.routing_for(state["tenant"]).update_every_seconds
        self._last_update[state["id"]] = (self.monotonic() + interval, state["status"])
        return {"type": "delivered", "incident": state["id"], "tenant": state["tenant"], "version": state["version"],
                "channel": channel, "ts": ts, "in_digest": in_digest}

    def _blocked(self, incident: str) -> bool:
        now = self.monotonic()
        return now < self._not_before.get("slack", 0.0) or now < self._not_before.get(incident, 0.0)

    def _failed(self, incident: str, exc: DeliveryError) -> None:
        self.pending_errors[incident] = exc.reason
        self.failed_deliveries += 1
        if exc.retry_after is not None:
            self._not_before["slack"] = self.monotonic() + exc.retry_after  # Slack asked all calls to wait
            logger.warning("Slack rate limit: waiting %.1f s as Retry-After asks", exc.retry_after)
            return
        if exc.permanent:
            delay = PERMANENT_BACKOFF
            logger.error("Slack refused incident %s (%s); it stays pending and is retried in %.0f s",
                         incident, exc.reason, delay)
        else:
            delay = min(self._backoff.get(incident, 0.5) * 2, MAX_BACKOFF)
            logger.warning("Slack delivery of incident %s failed (%s); retrying in %.1f s", incident, exc.reason, delay)
        self._backoff[incident] = delay
        self._not_before[incident] = self.monotonic() + delay

    def forget(self, incident: str, version: int) -> None:
        """The state has recorded delivery of ``version``: the in-memory copy is no longer needed."""
        sent = self._sent.get(incident)
        if sent is not None and sent["version"] <= version:
            self._sent.pop(incident, None)


def _severity(state: dict) -> Severity:
    return Severity(state["severity"])
