"""Create Douane's topics with the partitions and retention from ``douane.contract.topics``.

A topic is only ready once the broker's metadata shows its partitions: right after a create, a
client on a busy broker can read the topic with none (Faust then caches it so and crashes a table's
agent on every write: "PartitionsMismatch ... has 0 partitions"). Every topic Douane creates goes
through :func:`create_visible`, which returns only once they are shown.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaConfigurationError, KafkaTimeoutError, TopicAlreadyExistsError, for_code

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
        create_visible(admin, [NewTopic(s.name, partitions, replication, topic_configs=s.config(replication))
                               for s in missing])
        _reconfigure(admin, [s for s in specs if s.name in existing], replication)
        counts = _partition_counts(admin, [s.name for s in specs])
    finally:
        admin.close()
    return [TopicState(s, s in missing, counts.get(s.name, 0)) for s in specs]


def create_visible(admin: KafkaAdminClient, new: list[NewTopic], timeout: float = 30.0) -> None:
    """Create the topics not there yet, and return once the broker's metadata shows each one's partitions
    with a leader (one that exists already, perhaps created by another process meanwhile, is no error)."""
    if not new:
        return
    answer = admin.create_topics(new, timeout_ms=30_000, raise_errors=False)
    existed = set()
    for topic in answer["topics"]:
        error = for_code(topic["error_code"])
        if error is TopicAlreadyExistsError:
            existed.add(topic["name"])
        elif topic["error_code"]:
            raise error(f"topic {topic['name']}: {topic.get('error_message') or error.__name__}")
    # one that existed keeps its own partition count: seeing any is enough
    _until_visible(admin, {t.name: 1 if t.name in existed else t.num_partitions for t in new}, timeout)


def _until_visible(admin: KafkaAdminClient, wanted: dict[str, int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        shown = _partition_counts(admin, list(wanted), led=True)
        missing = sorted(name for name, count in wanted.items() if shown.get(name, 0) < count)
        if not missing:
            return
        if time.monotonic() > deadline:
            raise KafkaTimeoutError(f"the broker shows no partitions yet for {', '.join(missing)} after {timeout:.0f} s")
        time.sleep(0.2)


def _reconfigure(admin: KafkaAdminClient, specs: list[TopicSpec], replication: int, timeout: float = 30.0) -> None:
    """Set each spec's configuration on its existing topic (a store made by an older version keeps
    no segment roll on the redirect topic, so its prompts could outlive the stated hour), and return
    once the broker describes the new values: a refused change names its topic, and on a busy broker
    a describe right after the change could still show the old ones."""
    if not specs:
        return
    wanted = {s.name: {key: str(value) for key, value in s.config(replication).items()} for s in specs}
    answer = admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, name, configs=configs)
                                  for name, configs in wanted.items()])
    refused = {name: result for name, result in answer.get("topic", {}).items() if result != "OK"}
    if refused:
        raise KafkaConfigurationError("; ".join(f"topic {name}: configuration refused ({why})"
                                                for name, why in sorted(refused.items())))
    _until_configured(admin, wanted, timeout)


def _until_configured(admin: KafkaAdminClient, wanted: dict[str, dict[str, str]], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, name) for name in wanted])
        shown = described.get("topic", {})
        stale = sorted(name for name, configs in wanted.items()
                       if any(shown.get(name, {}).get(key, {}).get("value") != value for key, value in configs.items()))
        if not stale:
            return
        if time.monotonic() > deadline:
            raise KafkaTimeoutError(f"the broker does not show the new configuration of {', '.join(stale)} "
                                    f"after {timeout:.0f} s")
        time.sleep(0.2)


def _partition_counts(admin: KafkaAdminClient, names: list[str], led: bool = False) -> dict[str, int]:
    """Each topic's partition count in the broker's metadata (``led``: only partitions with a leader)."""
    described = admin.describe_topics(names)
    return {t["name"]: sum(1 for p in t["partitions"] if not led or p.get("leader_id", -1) >= 0)
            for t in described if not t["error_code"]}
