"""Where a replay reads the window's calls and the verdicts of the time: the topics or the store."""

from __future__ import annotations

import json
from datetime import datetime

from douane.contract import TOPICS, DecodeError, decode_verdict
from douane.contract.fast import read_event
from stream.replay.judge import Judgement
from stream.replay.report import Incident
from stream.replay.topic import Progress, TopicReader
from stream.replay.window import Window


class TopicCalls:
    """The window's calls from ``douane.ai-calls``; counts what was read and what did not decode."""

    def __init__(self, reader: TopicReader) -> None:
        self.reader = reader
        self.read = 0
        self.undecodable = 0

    def events(self, window: Window, progress: Progress | None = None) -> list:
        """Events whose own ``observed_at`` (and tenant) fall in the window, each once, in event-time order."""
        found: dict[str, object] = {}
        for record in self.reader.records(window, progress):
            self.read += 1
            try:
                event = read_event(record.value)
            except DecodeError:
                self.undecodable += 1  # the stream dead-lettered it; 'douane dlq list' shows why
                continue
            if window.holds(event.observed_at, event.tenant):
                found.setdefault(str(event.event_id), event)  # delivery is at-least-once; the store keeps one too
        return sorted(found.values(), key=lambda e: (e.observed_at, str(e.event_id)))


def topic_verdicts(reader: TopicReader, window: Window, wanted: set[str]) -> dict[str, Judgement]:
    """The verdicts the stream published on ``douane.findings`` for the wanted event ids (the newest wins)."""
    found: dict[str, Judgement] = {}
    for record in reader.records(window):
        try:
            verdict = decode_verdict(record.value)
        except DecodeError:
            continue
        key = str(verdict.event_id)
        if key in wanted:
            found[key] = Judgement.of(verdict)
    return found


def inline_verdict(event) -> Judgement | None:
    """The verdict the gateway applied in-line, carried by the event itself (None for other taps)."""
    verdict = event.outcome.verdict
    return Judgement.of(verdict) if verdict is not None else None


def topic_incidents(reader: TopicReader, window: Window) -> list[Incident]:
    """Incidents from the state snapshots on ``douane.incidents`` whose life overlaps the window (newest state)."""
    states: dict[str, dict] = {}
    for record in reader.records(window):
        try:
            message = json.loads(record.value)
        except (TypeError, ValueError):
            continue
        state = message.get("state") if isinstance(message, dict) and message.get("type") == "state" else None
        if isinstance(state, dict) and "id" in state:
            states[state["id"]] = state
    return [_incident(s) for s in states.values() if _overlaps(s, window)]


def _overlaps(state: dict, window: Window) -> bool:
    try:
        first, last = datetime.fromisoformat(state["first_seen"]), datetime.fromisoformat(state["last_seen"])
    except (KeyError, TypeError, ValueError):
        return False
    return first < window.end and last >= window.start and (window.tenant in (None, state.get("tenant")))


def _incident(state: dict) -> Incident:
    return Incident(incident_id=state["id"], kind=state.get("kind", "?"), tenant=state.get("tenant", "?"),
                    rule_id=state.get("rule_id", "?"), provider=state.get("provider", "unknown"),
                    severity=state.get("severity", "?"), status=state.get("status", "?"),
                    count=int(state.get("count", 0)), opened_at=state["first_seen"], last_seen=state["last_seen"],
                    channel=state.get("channel"), alerts_sent=None)


def store_incident(row: dict) -> Incident:
    """An incident from a row of the store's ``incidents`` joined with ``alert_state``."""
    return Incident(incident_id=row["incident_id"], kind=row["kind"], tenant=row["tenant"], rule_id=row["rule_id"],
                    provider=row["provider"], severity=row["severity"], status=row["status"], count=row["count"],
                    opened_at=row["opened_at"].isoformat(), last_seen=row["last_seen"].isoformat(),
                    channel=row["channel"], alerts_sent=row["sent_count"])


def readers(bootstrap: str, calls_topic: str = TOPICS.ai_calls.name, **options) -> dict[str, TopicReader]:
    """One reader per topic replay reads, sharing the margin and bounds."""
    return {name: TopicReader(bootstrap, topic, **options)
            for name, topic in (("calls", calls_topic), ("findings", TOPICS.findings.name),
                                ("incidents", TOPICS.incidents.name))}

