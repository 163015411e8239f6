"""Topic names, partitioning and retention: the one place they are written down.

``douane.ai-calls`` is keyed by event id, so one tenant's calls spread over every
partition and every stream worker; findings and incident commands are keyed by tenant,
so each incident is counted by the one worker that owns its tenant. Retention follows data minimisation:
the redirect path carries full requests, and every record of it is gone from the
broker's files within an hour (retention, segment roll and deletion delay together); the audit
trail is kept long enough to replay an incident window (the evidence of record is
DuckDB, not Kafka).
"""

from __future__ import annotations

from dataclasses import dataclass

MINUTE_MS = 60_000
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

BROKER_RETENTION_CHECK_MS = 5 * MINUTE_MS
"""Kafka's default ``log.retention.check.interval.ms``: how late a broker may notice an expired segment."""


@dataclass(frozen=True)
class TopicSpec:
    """A topic's name, its retention and why it exists."""

    name: str
    retention_ms: int
    purpose: str
    cleanup_policy: str = "delete"
    segment_ms: int | None = None
    """Roll the active segment this often. Retention deletes whole closed segments only, so without
    it a busy topic's first records live as long as the active segment does (7 days by default)."""
    delete_delay_ms: int | None = None

    def config(self, replication: int = 1) -> dict[str, str]:
        """Broker-side topic configuration for a cluster whose topics have ``replication`` replicas."""
        config = {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy,
                  "min.insync.replicas": str(min_insync_replicas(replication))}
        if self.segment_ms is not None:
            config["segment.ms"] = str(self.segment_ms)
        if self.delete_delay_ms is not None:
            config["file.delete.delay.ms"] = str(self.delete_delay_ms)
        return config

    def longest_life_ms(self, retention_check_ms: int = BROKER_RETENTION_CHECK_MS) -> int | None:
        """The longest a record can stay in the broker's files, or None when unbounded by this spec.

        A record waits for its segment to roll (``segment.ms``), then for the segment's newest
        record to pass ``retention.ms``, then for the broker's next retention check (every
        ``retention_check_ms``), then for the file deletion delay.
        """
        if self.segment_ms is None or self.delete_delay_ms is None:
            return None
        return self.segment_ms + self.retention_ms + retention_check_ms + self.delete_delay_ms


def min_insync_replicas(replication: int) -> int:
    """Two in-sync replicas when there are three or more (one broker may be down), else one."""
    return 2 if replication >= 3 else 1


def short_lived(name: str, purpose: str) -> TopicSpec:
    """A topic that carries prompt or answer text: every record gone from the broker's files within an hour."""
    return TopicSpec(name, 40 * MINUTE_MS, purpose, segment_ms=10 * MINUTE_MS, delete_delay_ms=MINUTE_MS)


@dataclass(frozen=True)
class Topics:
    """The six topics of the v1 contract."""

    ai_calls: TopicSpec = TopicSpec("douane.ai-calls", 30 * DAY_MS, "AICallEvent per AI call (metadata only)")
    findings: TopicSpec = TopicSpec("douane.findings", 90 * DAY_MS, "Verdict per evaluated call")
    redirect: TopicSpec = short_lived("douane.redirect", "full requests for the sovereign worker")
    responses: TopicSpec = short_lived("douane.responses", "sovereign answers, keyed by correlation id")
    incidents: TopicSpec = TopicSpec("douane.incidents", 365 * DAY_MS, "NIS2 incident state changes")
    dlq: TopicSpec = TopicSpec("douane.dlq", 30 * DAY_MS, "undecodable input, unchanged, with the reason")

    def all(self) -> tuple[TopicSpec, ...]:
        """Every topic, in a stable order."""
        return (self.ai_calls, self.findings, self.redirect, self.responses, self.incidents, self.dlq)


TOPICS = Topics()

DEFAULT_PARTITIONS = 6
"""Partitions per topic unless settings say otherwise; the upper bound on workers per topic."""
