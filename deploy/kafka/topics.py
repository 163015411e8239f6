"""Create Douane's topics with the partitions and retention from ``douane.contract.topics``."""

from __future__ import annotations

from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import TopicAlreadyExistsError

from douane.contract.topics import TOPICS, TopicSpec
from douane.settings import Settings


@dataclass(frozen=True)
class TopicState:
    """One topic after ``ensure_topics``: created now, or found with its partition count."""

    spec: TopicSpec
    created: bool
    partitions: int


def ensure_topics(bootstrap: str, partitions: int, specs: tuple[TopicSpec, ...] = TOPICS.all(),
                  replication: int | None = None) -> list[TopicState]:
    """Create each missing topic; bring the configuration of existing ones up to the spec.

    Partition counts of existing topics are left as they are (growing them would move keys
    between partitions) and reported. ``replication`` defaults to ``DOUANE_TOPIC_REPLICATION``.
    """
    replication = replication or Settings().topic_replication
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="douane-topics")
    try:
        existing = set(admin.list_topics())
        missing = [s for s in specs if s.name not in existing]
        _create(admin, missing, partitions, replication)
        _reconfigure(admin, [s for s in specs if s.name in existing], replication)
        counts = _partition_counts(admin, [s.name for s in specs])
    finally:
        admin.close()
    return [TopicState(s, s in missing, counts.get(s.name, 0)) for s in specs]


def _create(admin: KafkaAdminClient, specs: list[TopicSpec], partitions: int, replication: int) -> None:
    if not specs:
        return
    new = [NewTopic(s.name, partitions, replication, topic_configs=s.config(replication)) for s in specs]
    try:
        admin.create_topics(new, timeout_ms=30_000)
    except TopicAlreadyExistsError:
        pass  # another process created them between our list and create


def _reconfigure(admin: KafkaAdminClient, specs: list[TopicSpec], replication: int) -> None:
    """Set each spec's configuration on its existing topic (a store made by an older version keeps
    no segment roll on the redirect topic, so its prompts could outlive the stated hour)."""
    if specs:
        resources = [ConfigResource(ConfigResourceType.TOPIC, s.name, configs=s.config(replication)) for s in specs]
        admin.alter_configs(resources)


def _partition_counts(admin: KafkaAdminClient, names: list[str]) -> dict[str, int]:
    described = admin.describe_topics(names)
    return {t["name"]: len(t["partitions"]) for t in described if not t["error_code"]}
