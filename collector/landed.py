"""Settling sends that are in doubt: did the broker write them before it stopped answering?

A send whose acknowledgement never came may still have been written (the broker took the
request, then died or froze before answering). Resending it blindly would duplicate it. The
outbox remembers, per partition, the offset after its last acknowledged record; anything it
sent since can only be at or after that offset. ``landed`` reads that tail of the topic and
says which of the doubtful event ids are already there.
"""

from __future__ import annotations

import time

from kafka import KafkaConsumer, TopicPartition

def text_field(value: bytes, name: str) -> bytes:
    """A top-level string field of an encoded event (``b""`` when absent), read without a full parse.

    Safe for the fields it is used on (event id, tenant): the contract limits them to characters that
    JSON never escapes, and the encoder writes compact JSON (``"name":"value"``).
    """
    marker = b'"' + name.encode() + b'":"'
    start = value.find(marker)
    if start < 0:
        return b""
    start += len(marker)
    return value[start: value.find(b'"', start)]


def event_id_of(value: bytes) -> str:
    """The event id of an encoded event ("" when absent)."""
    return text_field(value, "event_id").decode("ascii", "replace")


def end_offsets(bootstrap: str, topic: str, timeout: float) -> dict[int, int]:
    """The next offset to be written on each partition of ``topic``."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, **_bounded(timeout))
    try:
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        return {tp.partition: offset for tp, offset in consumer.end_offsets(parts).items()}
    finally:
        consumer.close()


def landed(bootstrap: str, topic: str, since: dict[int, int], doubtful: set[str], timeout: float = 30.0) -> set[str]:
    """Which ``doubtful`` ids are on ``topic`` at or after the offsets in ``since``.

    Raises ``TimeoutError`` when the tail cannot be read in ``timeout`` seconds (the caller
    then keeps the records and tries again later: never resend while in doubt).
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             max_partition_fetch_bytes=4 << 20, **_bounded(5.0))
    try:
        parts = [TopicPartition(topic, p) for p in since]
        consumer.assign(parts)
        ends = consumer.end_offsets(parts)
        for tp in parts:
            consumer.seek(tp, since[tp.partition])
        found: set[str] = set()
        deadline = time.monotonic() + timeout
        while any(consumer.position(tp) < ends[tp] for tp in parts):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read the tail of {topic} within {timeout:.0f} s")
            for records in consumer.poll(timeout_ms=500).values():
                found.update(i for i in (event_id_of(r.value) for r in records) if i in doubtful)
        return found
    finally:
        consumer.close()


def _bounded(timeout: float) -> dict[str, int]:
    """Consumer settings that make a request to a dead broker fail within about ``timeout`` seconds."""
    ms = int(timeout * 1000)
    # kafka-python wants request > session > heartbeat even without a group
    return {"bootstrap_timeout_ms": ms, "request_timeout_ms": ms + 2000, "session_timeout_ms": ms + 1000,
            "heartbeat_interval_ms": max(100, ms // 3)}
