"""The aiokafka set-up the batch consumers share (the store sink, the judge, the inference worker).

They read with a manual-commit group consumer, write with an idempotent producer, and commit
offsets only after what they wrote is on the broker; this module starts and stops the pair
together, waits for the group's assignment, commits only the partitions still owned, and
sends dead letters the same way.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import CommitFailedError, IllegalStateError

from douane.contract import TOPICS
from douane.contract.deadletter import DeadLetter

logger = logging.getLogger(__name__)

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


async def wait_for_assignment(consumer: AIOKafkaConsumer, stop: asyncio.Event, timeout: float = 60.0) -> bool:
    """Wait until the group has given ``consumer`` partitions (aiokafka joins in the background).

    False when ``stop`` is set first, or after ``timeout`` seconds without any: with more members
    than partitions this one waits as a spare, and takes partitions at the next rebalance. True once
    the consumer also knows where it reads each partition from: a group new to a topic that starts
    from the latest offset looks it up at its first fetch, and a record sent before that lookup
    answered was skipped, although the consumer was already said to be ready.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not consumer.assignment():
        if stop.is_set():
            return False
        if loop.time() > deadline:
            logger.warning("no partition of %s assigned within %.0f s: more members than partitions? this one "
                           "waits as a spare", ", ".join(sorted(consumer.subscription())), timeout)
            return False
        await asyncio.sleep(0.05)
    with contextlib.suppress(IllegalStateError):  # a rebalance took a partition meanwhile: its owner looks it up
        await asyncio.gather(*(consumer.position(tp) for tp in consumer.assignment()))
    return True


async def commit_owned(consumer: AIOKafkaConsumer, offsets: dict[TopicPartition, int]) -> dict[TopicPartition, int]:
    """Commit the offsets of the partitions ``consumer`` still owns; returns what was committed.

    After a rebalance another member owns some of them: it reads them again from the last
    committed offset (the store skips what is stored; the judge judges them again).
    """
    owned = consumer.assignment()
    mine = {tp: offset for tp, offset in offsets.items() if tp in owned}
    if not mine:
        return {}
    try:
        await consumer.commit(mine)
    except (CommitFailedError, IllegalStateError) as exc:
        logger.warning("offsets not committed (%s): the partitions moved; their new owner reads them again", exc)
        return {}
    return mine
