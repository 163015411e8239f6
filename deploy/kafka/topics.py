"""Create Douane's topics with the partitions and retention from ``douane.contract.topics``."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from douane.contract.topics import TOPICS, TopicSpec


@dataclass(frozen=True)
class TopicState:
    """One topic after ``ensure_topics``: created now, or found with its partition count."""

    spec: TopicSpec
    created: bool
    partitions: int


def ensure_topics(bootstrap: str, partitions: int, specs: tuple[TopicSpec, ...] = TOPICS.all()) -> list[TopicState]:
    """Create each missing topic; existing ones are left as they are and reported."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="douane-topics")
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        if missing:
            new = [NewTopic(s.name, partitions, 1, topic_configs=s.config()) for s in missing]
            try:
                admin.create_topics(new, timeout_ms=30_000)
            except TopicAlreadyExistsError:
                pass  # another process created them between our list and create
        counts = _partition_counts(admin, [s.name for s in specs])
    finally:
        admin.close()
    return [TopicState(s, s in missing, counts.get(s.name, 0)) for s in specs]


def _partition_counts(admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = admin.describe_topics(names)
    return {t["name"]: len(t["partitions"]) for t in described if not t["error_code"]}
