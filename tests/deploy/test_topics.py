"""Topic settings: prompts on the redirect path leave the broker's files within the stated hour,
replication settings for a cluster, and configuration brought up to date on existing topics."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic
from kafka.errors import KafkaConfigurationError, KafkaError

from deploy.kafka import LocalBroker, ensure_topics
from deploy.kafka.topics import create_visible
from douane.contract.topics import BROKER_RETENTION_CHECK_MS, HOUR_MS, TOPICS, TopicSpec, min_insync_replicas

SCALE = 600
"""The test runs the hour in six seconds: every duration divided by this."""


def test_text_carrying_topics_are_gone_within_the_hour() -> None:
    for spec in (TOPICS.redirect, TOPICS.responses):
        assert spec.longest_life_ms() is not None and spec.longest_life_ms() <= HOUR_MS, spec.name
        assert "segment.ms" in spec.config(), f"{spec.name} must roll its active segment"


@pytest.mark.parametrize(("replication", "isr"), [(1, 1), (2, 1), (3, 2), (5, 2)])
def test_min_insync_replicas_follow_replication(replication: int, isr: int) -> None:
    assert min_insync_replicas(replication) == isr
    assert TOPICS.ai_calls.config(replication)["min.insync.replicas"] == str(isr)


@pytest.fixture
def fast_broker(tmp_path: Path, kafka_libs: Path) -> Iterator[str]:
    """A broker of the test's own that checks retention SCALE times more often than Kafka's default."""
    check = str(BROKER_RETENTION_CHECK_MS // SCALE)
    broker = LocalBroker(tmp_path / "kafka", port=0, controller_port=0, libs=kafka_libs,
                         overrides={"log.retention.check.interval.ms": check,
                                    # the first check otherwise waits 30 s after start-up
                                    "log.initial.task.delay.ms": "0"})
    status = broker.up(timeout=120)
    yield status.bootstrap, broker.data
    broker.down()


def _scaled(spec: TopicSpec, name: str) -> TopicSpec:
    shrink = lambda ms: None if ms is None else max(1, ms // SCALE)  # noqa: E731
    return replace(spec, name=name, retention_ms=shrink(spec.retention_ms), segment_ms=shrink(spec.segment_ms),
                   delete_delay_ms=shrink(spec.delete_delay_ms))


@pytest.mark.kafka
def test_a_prompt_on_the_redirect_topic_leaves_the_broker_files_in_time(fast_broker) -> None:
    bootstrap, data = fast_broker
    bounded = _scaled(TOPICS.redirect, "redirect-scaled")
    # Wave 1's redirect topic: the same retention, but no segment roll.
    unbounded = replace(bounded, name="redirect-no-roll", segment_ms=None, delete_delay_ms=None)
    ensure_topics(bootstrap, 1, (bounded, unbounded))
    canary = b"CANARY-PROMPT iban DE89370400440532013000"
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=0)
    for spec in (bounded, unbounded):
        producer.send(spec.name, canary).get(timeout=10)
    stated = bounded.longest_life_ms(BROKER_RETENTION_CHECK_MS // SCALE) / 1000
    gone_after = _keep_busy_until_gone(producer, (bounded.name, unbounded.name), data, canary, limit=2 * stated)
    producer.close()
    assert gone_after[bounded.name] is not None, f"the prompt was still on disk after {2 * stated:.1f} s"
    assert gone_after[bounded.name] <= stated + 1.0, f"stated {stated:.1f} s, took {gone_after[bounded.name]:.1f} s"
    assert gone_after[unbounded.name] is None, "without a segment roll a busy topic keeps its first prompt"


def _keep_busy_until_gone(producer, topics, data: Path, canary: bytes, limit: float) -> dict[str, float | None]:
    """Send filler to each topic (a live redirect path) and note when the canary leaves each one's files."""
    started = time.monotonic()
    gone: dict[str, float | None] = dict.fromkeys(topics)
    while time.monotonic() - started < limit and None in gone.values():
        for topic in topics:
            producer.send(topic, b"filler")
            if gone[topic] is None and not _on_disk(data, topic, canary):
                gone[topic] = time.monotonic() - started
        producer.flush()
        time.sleep(0.1)
    return gone


def _on_disk(data: Path, topic: str, needle: bytes) -> bool:
    for path in data.glob(f"{topic}-*/*"):
        try:
            if needle in path.read_bytes():
                return True
        except FileNotFoundError:
            pass  # deleted while we looked
    return False


@pytest.mark.kafka
def test_an_existing_topic_gets_the_current_configuration(fast_broker) -> None:
    bootstrap, _ = fast_broker
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(TOPICS.redirect.name, 1, 1, topic_configs={"retention.ms": str(HOUR_MS)})])
        ensure_topics(bootstrap, 1, (TOPICS.redirect,))
        described = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, TOPICS.redirect.name)])
    finally:
        admin.close()
    configs = described["topic"][TOPICS.redirect.name]
    assert configs["segment.ms"]["value"] == str(TOPICS.redirect.segment_ms)
    assert configs["retention.ms"]["value"] == str(TOPICS.redirect.retention_ms)


@pytest.mark.kafka
def test_created_topics_show_their_partitions_when_ensure_topics_returns(kafka_bootstrap: str, unique: str) -> None:
    specs = tuple(TopicSpec(f"visible-{unique}-{i}", HOUR_MS, "test") for i in range(6))
    states = ensure_topics(kafka_bootstrap, 3, specs)
    assert [(s.created, s.partitions) for s in states] == [(True, 3)] * 6
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)  # a client that has never seen them
    try:
        assert {s.name: len(consumer.partitions_for_topic(s.name) or ()) for s in specs} == {s.name: 3 for s in specs}
    finally:
        consumer.close()


@pytest.mark.kafka
def test_a_topic_another_process_created_meanwhile_keeps_its_partitions(kafka_bootstrap: str, unique: str) -> None:
    name = f"raced-{unique}"
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        admin.create_topics([NewTopic(name, 1, 1)])
        started = time.monotonic()
        create_visible(admin, [NewTopic(name, 4, 1), NewTopic(f"{name}-new", 2, 1)], timeout=10)
        assert time.monotonic() - started < 10
        assert {t["name"]: len(t["partitions"]) for t in admin.describe_topics([name, f"{name}-new"])} == {
            name: 1, f"{name}-new": 2}
    finally:
        admin.close()


@pytest.mark.kafka
def test_a_topic_the_broker_refuses_is_named(kafka_bootstrap: str, unique: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        with pytest.raises(KafkaError, match=f"topic refused-{unique}"):
            create_visible(admin, [NewTopic(f"refused-{unique}", 1, 3)])  # three replicas on one broker
    finally:
        admin.close()


@pytest.mark.kafka
def test_a_refused_configuration_names_its_topic(kafka_bootstrap: str, unique: str) -> None:
    name = f"refused-{unique}"
    ensure_topics(kafka_bootstrap, 1, (TopicSpec(name, HOUR_MS, "test"),))
    with pytest.raises(KafkaConfigurationError, match=f"topic {name}: configuration refused"):
        ensure_topics(kafka_bootstrap, 1, (TopicSpec(name, HOUR_MS, "test", cleanup_policy="shred"),))
