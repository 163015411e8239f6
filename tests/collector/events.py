"""Reading back what the gateway published."""

from __future__ import annotations

import time
import uuid

from kafka import KafkaConsumer

from collector.declare import personal_data, request_text
from douane.contract import TOPICS, AICallEvent, decode_event


def content_hash(body: dict) -> str:
    """The keyed hash the gateway computes for ``body`` with the test config's default key."""
    return personal_data(request_text(body), b"douane-dev-key", "k1").content_hash


def events_with(bootstrap: str, hashes: set[str], expect: int, timeout: float = 30) -> list[AICallEvent]:
    """Events on douane.ai-calls whose content hash is in ``hashes``, once ``expect`` of them arrived."""
    consumer = KafkaConsumer(TOPICS.ai_calls.name, bootstrap_servers=bootstrap, group_id=f"t-{uuid.uuid4()}",
                             auto_offset_reset="earliest", enable_auto_commit=False)
    found: list[AICallEvent] = []
    deadline = time.monotonic() + timeout
    try:
        while len(found) < expect and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=300).values():
                for record in records:
                    event = decode_event(record.value)
                    if event.personal_data.content_hash in hashes:
                        found.append(event)
        time.sleep(0.5)  # and nothing more than expected turns up
        for records in consumer.poll(timeout_ms=300).values():
            found += [e for e in map(lambda r: decode_event(r.value), records)
                      if e.personal_data.content_hash in hashes]
    finally:
        consumer.close()
    return found
