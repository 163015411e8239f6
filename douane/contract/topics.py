"""Topic names, partitioning and retention: the one place they are written down.

Every topic is keyed by tenant id, so one tenant's calls stay in order on one
partition and more workers share more tenants. Retention follows data minimisation:
the redirect path carries full requests and is kept for an hour only; the audit
trail is kept long enough to replay an incident window (the evidence of record is
DuckDB, not Kafka).
"""

from __future__ import annotations

from dataclasses import dataclass

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True)
class TopicSpec:
    """A topic's name, its retention and why it exists."""

    name: str
    retention_ms: int
    purpose: str
    cleanup_policy: str = "delete"

    def config(self) -> dict[str, str]:
        """Broker-side topic configuration."""
        return {"retention.ms": str(self.retention_ms), "cleanup.policy": self.cleanup_policy}


@dataclass(frozen=True)
class Topics:
    """The six topics of the v1 contract."""

    ai_calls: TopicSpec = TopicSpec("douane.ai-calls", 30 * DAY_MS, "AICallEvent per AI call (metadata only)")
    findings: TopicSpec = TopicSpec("douane.findings", 90 * DAY_MS, "Verdict per evaluated call")
    redirect: TopicSpec = TopicSpec("douane.redirect", HOUR_MS, "full requests for the sovereign worker")
    responses: TopicSpec = TopicSpec("douane.responses", HOUR_MS, "sovereign answers, keyed by correlation id")
    incidents: TopicSpec = TopicSpec("douane.incidents", 365 * DAY_MS, "NIS2 incident state changes")
    dlq: TopicSpec = TopicSpec("douane.dlq", 30 * DAY_MS, "undecodable input, unchanged, with the reason")

    def all(self) -> tuple[TopicSpec, ...]:
        """Every topic, in a stable order."""
        return (self.ai_calls, self.findings, self.redirect, self.responses, self.incidents, self.dlq)


TOPICS = Topics()

DEFAULT_PARTITIONS = 6
"""Partitions per topic unless settings say otherwise; the upper bound on workers per topic."""
