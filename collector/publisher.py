"""Publish ``AICallEvent``s to ``douane.ai-calls`` with an idempotent kafka-python producer."""

from __future__ import annotations

import logging

from kafka import KafkaProducer
from kafka.producer.future import FutureRecordMetadata

from douane.contract import TOPICS, AICallEvent, encode

logger = logging.getLogger(__name__)


class EventPublisher:
    """Sends events keyed by tenant, so a tenant's calls keep their order on one partition."""

    def __init__(self, bootstrap: str, *, client_id: str = "douane-collector", linger_ms: int = 5) -> None:
        self._producer = KafkaProducer(
            bootstrap_servers=bootstrap,
            client_id=client_id,
            enable_idempotence=True,
            acks="all",
            linger_ms=linger_ms,
        )

    def publish(self, event: AICallEvent) -> FutureRecordMetadata:
        """Queue one event; the future resolves when the broker has it."""
        return self._producer.send(TOPICS.ai_calls.name, key=event.tenant.encode(), value=encode(event))

    def publish_raw(self, key: str, value: bytes, topic: str = TOPICS.ai_calls.name) -> FutureRecordMetadata:
        """Queue bytes as they are (replay tools, tests of malformed input)."""
        return self._producer.send(topic, key=key.encode(), value=value)

    def flush(self, timeout: float | None = None) -> None:
        """Block until every queued record is acknowledged."""
        self._producer.flush(timeout=timeout)

    def close(self, timeout: float = 10.0) -> None:
        """Flush and release the connection."""
        self._producer.close(timeout=timeout)

    def __enter__(self) -> "EventPublisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
