"""Pipeline stages: small plug-ins that each do one thing with a batch of audited calls.

A stage returns the items it failed on, with the reason; those go to the DLQ and the
rest of the batch goes on. A stage that must not lose anything (the store) retries
instead of failing.
"""

from __future__ import annotations

import json
import logging
from abc import ABC, abstractmethod
from collections import Counter

from douane.contract import Severity
from stream.alerts.desk import signal_of
from stream.store.rows import Audited
from stream.verdict_bytes import VerdictBytes

logger = logging.getLogger(__name__)

Failures = list[tuple[Audited, Exception]]


class Stage(ABC):
    """One step of the pipeline."""

    name: str = "stage"

    @abstractmethod
    async def process(self, batch: list[Audited]) -> Failures:
        """Handle a batch; return the items that failed, with the exception."""


class PerEventStage(Stage):
    """A stage that handles items one by one; a failure affects that item only."""

    async def process(self, batch: list[Audited]) -> Failures:
        failures: Failures = []
        for item in batch:
            try:
                await self.handle(item)
            except Exception as exc:  # noqa: BLE001 - dead-lettered with its reason, never lost
                failures.append((item, exc))
        return failures

    @abstractmethod
    async def handle(self, item: Audited) -> None:
        """Handle one item."""


class CountingStage(PerEventStage):
    """Counts audited calls per tenant, provider and decision (the demo's summary)."""

    name = "count"

    def __init__(self) -> None:
        self.seen: list[Audited] = []
        self.by_route: Counter[tuple[str, str, str]] = Counter()

    async def handle(self, item: Audited) -> None:
        """Record the route and decision; never content (there is none)."""
        self.seen.append(item)
        self.by_route[(item.event.tenant, item.provider or "unknown", item.verdict.decision.value)] += 1


class FindingsPublisher(Stage):
    """Publishes each verdict with a finding above ``min_severity`` to ``douane.findings``, keyed by tenant.

    ``topic`` is an :class:`~stream.judge.OutTopic`: the batch's records are added to it in one loop (no
    coroutine per record) and leave when the judge flushes it. With ``sources`` (a
    :class:`~stream.pipeline.Sources`) each record names its call in a ``douane.source`` header.
    """

    name = "findings"

    def __init__(self, topic, min_severity: Severity = Severity.LOW, sources=None) -> None:
        self.topic = topic
        self.headers_of = sources.headers if sources is not None else _no_headers
        self.worth = tuple(s for s in Severity if s.rank >= min_severity.rank)  # compared by identity: cheap
        self.by_rule: Counter[str] = Counter()  # findings published, per rule id (for /metrics)
        self.encode = VerdictBytes()

    async def process(self, batch: list[Audited]) -> Failures:
        """Send every verdict that carries something worth a look; one that cannot be encoded is a failure."""
        failures: Failures = []
        worth, encode, add, headers_of = self.worth, self.encode, self.topic.add, self.headers_of
        published: dict[int, list] = {}  # id of a findings tuple -> [the tuple, verdicts published with it]
        for item in batch:
            verdict = item.verdict
            if verdict.severity not in worth:
                continue
            try:
                add(item.event.tenant.encode(), encode(verdict), None, headers_of(item))
            except Exception as exc:  # noqa: BLE001 - dead-lettered with its reason, never lost
                failures.append((item, exc))
                continue
            findings = verdict.findings
            seen = published.get(id(findings))
            if seen is None:
                published[id(findings)] = [findings, 1]
            else:
                seen[1] += 1
        for findings, times in published.values():
            for finding in findings:
                self.by_rule[finding.rule_id] += times
        return failures


class SignalPublisher(PerEventStage):
    """Publishes provider failures (lockouts, errors, failovers) to ``douane.incidents`` for NIS2 counting;
    with ``sources`` (a :class:`~stream.pipeline.Sources`) each names its call in a ``douane.source`` header."""

    name = "signals"

    def __init__(self, topic, sources=None) -> None:
        self.topic = topic
        self.headers_of = sources.headers if sources is not None else _no_headers

    async def handle(self, item: Audited) -> None:
        """Send one signal per failed call, naming every failure kind it shows; nothing for healthy calls."""
        event = item.event
        kinds = signal_of(event)
        if not kinds:
            return
        command = {"type": "signal", "tenant": event.tenant, "provider": item.provider or event.destination.host,
                   "signal": kinds[0], "signals": kinds, "at": event.observed_at.isoformat()}
        await self.topic.send(key=event.tenant.encode(), value=json.dumps(command).encode(),
                              timestamp=event.observed_at.timestamp(), headers=self.headers_of(item))


def _no_headers(item: Audited) -> list:
    return []
