"""Faust's table changelog topics, created before a worker joins its group.

On a busy broker Faust can read the metadata of a changelog topic it has only just created before
the topic's partitions are known, cache it as having none, and crash the table's agent on the
next write ("PartitionsMismatch ... has 0 partitions"). Each crash acknowledges the event the
agent was on, so provider signals are lost and an outage's incident may never open. Topics that
exist before the worker starts avoid the race: every worker (the CLI's and an embedded one)
creates them first.
"""

from __future__ import annotations

import time

import faust
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError


def bootstrap_of(app: faust.App) -> str:
    """The app's broker addresses, as Kafka clients take them."""
    return ",".join(f"{url.host}:{url.port}" for url in app.conf.broker)


def create_changelogs(app: faust.App, replication: int | None = None) -> list[str]:
    """Create each table's changelog topic that does not exist yet; the names of the tables' topics."""
    from douane.settings import Settings

    replication = replication or Settings().topic_replication
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_of(app), client_id="douane-changelogs")
    wanted: dict[str, int] = {}
    try:
        for table in app.tables.values():
            topic = table.changelog_topic
            wanted[topic.get_topic_name()] = topic.partitions or table.partitions
            try:
                admin.create_topics([NewTopic(topic.get_topic_name(), wanted[topic.get_topic_name()], replication,
                                              topic_configs=_config(topic))])
            except TopicAlreadyExistsError:
                pass
        _until_visible(admin, wanted)
    finally:
        admin.close()
    return list(wanted)


def _until_visible(admin: KafkaAdminClient, wanted: dict[str, int], timeout: float = 30.0) -> None:
    """Return once the broker's metadata shows every topic with its partitions (a created topic's
    partitions appear a moment later: that moment is the race this module exists for)."""
    deadline = time.monotonic() + timeout
    while True:
        seen = {t["name"]: len(t["partitions"]) for t in admin.describe_topics(list(wanted)) if not t["error_code"]}
        missing = {n: p for n, p in wanted.items() if seen.get(n, 0) < p}
        if not missing:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the broker shows no partitions yet for {', '.join(sorted(missing))} after {timeout:.0f} s")
        time.sleep(0.2)


def _config(topic) -> dict[str, str]:
    policy = ",".join(p for p, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on)
    config = {"cleanup.policy": policy or "delete"}
    if topic.retention:
        config["retention.ms"] = str(int(topic.retention * 1000))
    return config
