"""Faust's table changelog topics, created before a worker joins its group.

On a busy broker Faust can read the metadata of a changelog topic it has only just created before
the topic's partitions are known, cache it as having none, and crash the table's agent on the
next write ("PartitionsMismatch ... has 0 partitions"). Each crash acknowledges the event the
agent was on, so provider signals are lost and an outage's incident may never open. Topics that
exist, with their partitions shown (``deploy.kafka.topics.create_visible``), before the worker
starts avoid the race: every worker (the CLI's and an embedded one) creates them first.
"""

from __future__ import annotations

import faust
from kafka.admin import KafkaAdminClient, NewTopic

from deploy.kafka.topics import create_visible


def bootstrap_of(app: faust.App) -> str:
    """The app's broker addresses, as Kafka clients take them."""
    return ",".join(f"{url.host}:{url.port}" for url in app.conf.broker)


def create_changelogs(app: faust.App, replication: int | None = None) -> list[str]:
    """Create each table's changelog topic that does not exist yet; the names of the tables' topics."""
    from douane.settings import Settings

    replication = replication or Settings().topic_replication
    new = [NewTopic(table.changelog_topic.get_topic_name(), table.changelog_topic.partitions or table.partitions,
                    replication, topic_configs=_config(table.changelog_topic)) for table in app.tables.values()]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_of(app), client_id="douane-changelogs")
    try:
        create_visible(admin, new)
    finally:
        admin.close()
    return [topic.name for topic in new]


def _config(topic) -> dict[str, str]:
    policy = ",".join(p for p, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on)
    config = {"cleanup.policy": policy or "delete"}
    if topic.retention:
        config["retention.ms"] = str(int(topic.retention * 1000))
    return config
