"""Builders and Kafka helpers for tests."""

from __future__ import annotations

import socket
import time
from datetime import datetime, timezone

from kafka import KafkaConsumer, TopicPartition

from douane.contract import Action, AICallEvent, AppContext, Destination, Outcome, Tap, TapKind
from douane.ids import uuid7


def make_event(tenant: str = "shop-test", **overrides) -> AICallEvent:
    """A valid minimal event; keyword arguments replace top-level fields."""
    fields = dict(
        event_id=uuid7(),
        observed_at=datetime.now(timezone.utc),
        tap=Tap(kind=TapKind.GATEWAY, name="test"),
        tenant=tenant,
        app=AppContext(platform="woocommerce", feature="support_chat"),
        destination=Destination(host="api.openai.com", path="/v1/chat/completions", provider="openai",
                                processing_country="US", entity_country="US"),
        outcome=Outcome(action=Action.FORWARDED, status=200),
    )
    fields.update(overrides)
    return AICallEvent(**fields)


def read_all(bootstrap: str, topic: str, timeout: float = 10.0, predicate=lambda r: True) -> list:
    """Every record of ``topic`` from the beginning that matches ``predicate`` (no consumer group)."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=1000)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        found: list = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and any(consumer.position(tp) < end[tp] for tp in parts):
            for records in consumer.poll(timeout_ms=500).values():
                found.extend(r for r in records if predicate(r))
        return found
    finally:
        consumer.close()


def free_port() -> int:
    """A loopback port nothing listens on at the moment of asking: for a server a test starts, or one it
    expects to find closed."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
