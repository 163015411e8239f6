"""The judge's publishing on the real broker: a poll's findings leave in a few large producer batches."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from stream.judge import PRODUCER_OPTIONS, OutTopic

FINDING = b"{" + b"x" * 1750 + b"}"  # an encoded verdict with findings is about 1.7 KB


async def _published(bootstrap: str, topic: str, records: int) -> OutTopic:
    """Send ``records`` findings of one tenant through an OutTopic with the judge's producer settings."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                **PRODUCER_OPTIONS)
    await producer.start()
    out = OutTopic(topic)
    out.bind(producer)
    try:
        for _ in range(records):
            await out.send(b"shop-berlin", FINDING)
        await out.flush()
    finally:
        await producer.stop()
    return out


async def _count(bootstrap: str, topic: str, expected: int) -> int:
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    seen = 0
    try:
        async with asyncio.timeout(60):
            while seen < expected:
                seen += sum(len(rs) for rs in (await consumer.getmany(timeout_ms=500)).values())
    finally:
        await consumer.stop()
    return seen


def test_a_polls_findings_for_one_tenant_leave_in_two_batches_not_fifty(kafka_bootstrap: str, unique: str) -> None:
    # An idempotent producer sends one batch per partition at a time; with aiokafka's 16 KB default the
    # 450 findings of a 1,000-call poll took 50 round trips (80 % of the judge's CPU was spent there).
    topic = f"test-judge-findings-{unique}"
    out = asyncio.run(_published(kafka_bootstrap, topic, 450))
    assert out.sent == 450
    assert out.batches <= 2, f"{out.batches} producer batches for one partition's 450 findings"
    assert asyncio.run(_count(kafka_bootstrap, topic, 450)) == 450
