"""Replay a window: choose the source, read the calls, judge them then and now, build the report.

Read-only: the topics are read without a consumer group (nothing committed), the store is
opened read-only, and nothing is published, alerted or written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from douane.contract import TOPICS
from stream.policies import PolicySet, UnknownTenant
from stream.replay import sources as src
from stream.replay.judge import Judgement, Replayed
from stream.replay.report import ReplayReport, Sources, build
from stream.replay.store import StoreReader
from stream.replay.topic import Progress
from stream.replay.window import ReplayError, Window

SOURCES = ("auto", "kafka", "store")


@dataclass
class ReplayConfig:
    """What to replay, under which rules, from where."""

    window: Window
    policies: PolicySet
    bootstrap: str | None = None
    store: Path | None = None
    source: str = "auto"
    margin: timedelta = timedelta(minutes=5)
    late: timedelta | None = None
    published_after: datetime | None = None
    baseline: PolicySet | None = None
    calls_topic: str = TOPICS.ai_calls.name
    notes: list[str] = field(default_factory=list)


def replay(config: ReplayConfig, progress: Progress | None = None) -> ReplayReport:
    """The report for ``config.window``; raises :class:`ReplayError` when no source can serve it."""
    topics = src.readers(config.bootstrap, config.calls_topic, margin=config.margin, late=config.late,
                         published_after=config.published_after) if config.bootstrap else None
    kind = _choose(config, topics)
    store = StoreReader(config.store) if config.store is not None and Path(config.store).exists() else None
    recorded: dict[str, Judgement] | None = None
    if kind == "kafka":
        calls = src.TopicCalls(topics["calls"])
        events = calls.events(config.window, progress)
        read, undecodable = calls.read, calls.undecodable
        where = f"Kafka topic {topics['calls'].topic} (seek by timestamp, margin {_minutes(config.margin)})"
    else:
        events, recorded = store.events_and_verdicts(config.window)
        read, undecodable = len(events), 0
        where = f"the store {config.store} (rebuilt from its columns)"
    then_of, then_where = _then(config, events, recorded, store, topics)
    judged, not_governed = _judge(events, config.policies, then_of)
    incidents = _incidents(config, store, topics)
    sources = Sources(calls=where, verdicts_then=then_where, notes=config.notes)
    return build(config.window, judged, sources, _rules_now(config.policies), incidents, read, undecodable,
                 not_governed)


def _choose(config: ReplayConfig, topics) -> str:
    if config.source not in SOURCES:
        raise ReplayError(f"--source must be one of {', '.join(SOURCES)}, not {config.source!r}")
    has_store = config.store is not None and Path(config.store).exists()
    if config.source == "store" or (config.source == "auto" and topics is None):
        if not has_store:
            raise ReplayError(f"no store at {config.store}: replay from Kafka, or point --store at the DuckDB file")
        if config.source == "auto":
            config.notes.append("no Kafka broker given: the calls come from the store")
        return "store"
    if topics is None:
        raise ReplayError("--source kafka needs a broker: run 'douane kafka up' or set DOUANE_KAFKA_BOOTSTRAP")
    if topics["calls"].holds(config.window):
        return "kafka"
    if config.source == "kafka" or not has_store:
        config.notes.append(f"retention removed part of the window from {topics['calls'].topic}: some calls are missing")
        return "kafka"
    config.notes.append(f"{topics['calls'].topic} no longer holds the whole window (retention): the calls come from "
                        "the store")
    return "store"


def _then(config: ReplayConfig, events: list, recorded, store: StoreReader | None, topics):
    """How each call was judged at the time, and where that came from."""
    if config.baseline is not None:
        return _judge_with(config.baseline), "re-evaluated under the baseline policy (--baseline)"
    if recorded is None and store is not None:
        try:
            recorded = store.verdicts(config.window)
        except ReplayError as exc:
            config.notes.append(f"the store could not be read ({exc}); verdicts of the time come from Kafka")
    if recorded is not None:
        return _recorded_or_inline(recorded), f"recorded in the store {config.store}"
    wanted = {str(e.event_id) for e in events}
    published = src.topic_verdicts(topics["findings"], config.window, wanted)
    config.notes.append("without the store, calls whose verdict stayed below severity low were never published: "
                        "they count as 'not recorded'")
    return _recorded_or_inline(published), f"published on {topics['findings'].topic}"


def _recorded_or_inline(recorded: dict[str, Judgement]):
    return lambda event: recorded.get(str(event.event_id)) or src.inline_verdict(event)


def _judge_with(policies: PolicySet):
    def then_of(event) -> Judgement | None:
        try:
            return Judgement.of(policies.audit(event).verdict)
        except UnknownTenant:
            return None
    return then_of


def _judge(events: list, policies: PolicySet, then_of) -> tuple[list[Replayed], dict[str, int]]:
    """Each call with its verdict then and under ``policies`` now; tenants no policy governs are counted."""
    judged, not_governed = [], Counter()
    for event in events:
        try:
            audited = policies.audit(event)
            now, provider = Judgement.of(audited.verdict), audited.provider
        except UnknownTenant:
            now, provider = None, event.destination.provider
            not_governed[event.tenant] += 1
        error = event.outcome.error_class
        judged.append(Replayed(str(event.event_id), event.observed_at, event.tenant, provider,
                               _value(event.outcome.action), _value(error) if error else None, then_of(event), now))
    return judged, dict(not_governed)


def _incidents(config: ReplayConfig, store: StoreReader | None, topics) -> list:
    if store is not None:
        try:
            return [src.store_incident(row) for row in store.incidents(config.window)]
        except ReplayError as exc:
            config.notes.append(f"incidents: the store could not be read ({exc})")
    if topics is not None:
        return src.topic_incidents(topics["incidents"], config.window)
    return []


def _rules_now(policies: PolicySet) -> list[str]:
    return [f"{tenant}: policy {policy.version}" for tenant, policy in policies.tenants()]


def _value(x) -> str:
    return getattr(x, "value", x)


def _minutes(delta: timedelta) -> str:
    return f"{delta / timedelta(minutes=1):g} min"
