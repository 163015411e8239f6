"""Fixtures for the inference tests: redirect requests in, replies collected from the real broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

from aiokafka import AIOKafkaConsumer
from kafka import KafkaProducer

from douane.contract import TOPICS, RedirectRequest, RedirectResponse, decode_response, encode


def chat_request(text: str = "Wo ist meine Bestellung 4711?", *, seconds: float = 60.0,
                 fallback: str | None = "Fallback: we will e-mail you.", **kw) -> RedirectRequest:
    """A chat request for tenant shop-berlin with a deadline ``seconds`` from now."""
    fields = {"kind": "chat", "messages": [{"role": "user", "content": text}]} | kw
    return RedirectRequest(correlation_id=uuid.uuid4(), tenant="shop-berlin", fallback_answer=fallback,
                           deadline=datetime.now(timezone.utc) + timedelta(seconds=seconds), **fields)


def send(bootstrap: str, items: list[RedirectRequest | tuple[bytes | None, bytes]]) -> None:
    """Publish requests (keyed by correlation id) and raw (key, value) records, and wait for acks."""
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    try:
        for item in items:
            if isinstance(item, RedirectRequest):
                producer.send(TOPICS.redirect.name, key=str(item.correlation_id).encode(), value=encode(item))
            else:
                producer.send(TOPICS.redirect.name, key=item[0], value=item[1])
        producer.flush(30)
    finally:
        producer.close()


async def collect(bootstrap: str, ids: set[uuid.UUID], timeout: float = 60.0) -> list[RedirectResponse]:
    """Every reply on douane.responses for ``ids`` (repeats included) until all have one, or ``timeout``."""
    consumer = AIOKafkaConsumer(TOPICS.responses.name, bootstrap_servers=bootstrap,
                                group_id=f"test-{uuid.uuid4()}", auto_offset_reset="earliest")
    await consumer.start()
    replies: list[RedirectResponse] = []
    deadline = time.monotonic() + timeout
    try:
        while {r.correlation_id for r in replies} != ids and time.monotonic() < deadline:
            batches = await consumer.getmany(timeout_ms=200)
            for record in (r for recs in batches.values() for r in recs):
                reply = decode_response(record.value)
                if reply.correlation_id in ids:
                    replies.append(reply)
    finally:
        await consumer.stop()
    return replies


async def until(condition, timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``condition`` without blocking the loop."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)
