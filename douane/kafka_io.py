"""The aiokafka set-up the batch consumers share (the store sink, the inference worker).

Both read with a manual-commit group consumer, write with an idempotent producer, and commit
offsets only after what they wrote is on the broker; this module starts and stops the pair
together and sends dead letters the same way.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from douane.contract import TOPICS
from douane.contract.deadletter import DeadLetter

FETCH_BYTES_PER_PARTITION = 16 * 1024 * 1024


@contextlib.asynccontextmanager
async def consumer_and_producer(bootstrap: str, topics: tuple[str, ...], group: str, start_from: str,
                                max_records: int, **producer_options) -> AsyncIterator[
                                    tuple[AIOKafkaConsumer, AIOKafkaProducer]]:
    """A started manual-commit consumer of ``topics`` and a started idempotent producer; both stopped on exit."""
    # A fetch brings up to 16 MB per partition (the default 1 MB is about 1,300 audit events: a batch of 5,000
    # would wait for four round trips to the broker).
    consumer = AIOKafkaConsumer(*topics, bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False,
                                auto_offset_reset=start_from, max_poll_records=max_records,
                                max_partition_fetch_bytes=FETCH_BYTES_PER_PARTITION)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True,
                                **producer_options)
    await consumer.start()
    await producer.start()
    try:
        yield consumer, producer
    finally:
        await producer.stop()
        await consumer.stop()


async def send_dead_letter(producer: AIOKafkaProducer, letter: DeadLetter):
    """Queue ``letter`` on ``douane.dlq`` with its reason headers; await the result to know it landed."""
    return await producer.send(TOPICS.dlq.name, key=letter.key, value=letter.value or b"", headers=letter.headers())
