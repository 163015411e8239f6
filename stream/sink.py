"""The store sink: a batch consumer that commits to Kafka only what the store holds.

Per poll: audited calls are written as Parquet segments, each partition's with a signed
ledger entry (skipping what the store already has, by offset and event id), incident
snapshots are kept, the new ledger heads are published to ``douane.ledger``, bad records go to
the DLQ; only then are the offsets committed. A sink killed at any point re-reads the
uncommitted batch, and the store skips what it already has. Several sinks share one store
and one consumer group: each writes the chains of the partitions it owns.

The next batch is decoded and evaluated in a child process while this one is written
(``stream/prepare.py``), so Python's work and DuckDB's do not queue for one interpreter lock.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from douane.contract import TOPICS
from douane.contract.deadletter import DeadLetter
from douane.kafka_io import commit_owned, consumer_and_producer, send_dead_letter, wait_for_assignment
from stream.prepare import Prepared, Preparer, Records
from stream.policies import PolicySet
from stream.store import StoreWriter
from stream.store.heads import LEDGER_TOPIC, ensure_ledger_topic

logger = logging.getLogger(__name__)

MAX_BACKOFF = 30.0


@dataclass(frozen=True)
class SinkConfig:
    """Where the sink reads from and how much it takes per transaction."""

    bootstrap: str
    group: str = "douane-sink"
    batch_size: int = 5000
    poll_ms: int = 200
    start_from: str = "earliest"
    prepare_processes: int = 2  # 0: prepare in a thread of the sink's own process


class StoreSink:
    """Consumes ``douane.ai-calls`` and ``douane.incidents`` into the store, beside any other sinks of its group."""

    def __init__(self, config: SinkConfig, policies: PolicySet, writer: StoreWriter) -> None:
        self.config = config
        self.policies = policies
        self.writer = writer
        self.stored = 0
        self.duplicates = 0  # redelivered calls the store already had
        self.dead_letters = 0
        self.batches, self.write_seconds, self.committed = 0, 0.0, {}  # for /metrics
        self.consumer: AIOKafkaConsumer | None = None
        self._stop = asyncio.Event()
        self.ready = asyncio.Event()
        self._preparer = Preparer(policies, config.prepare_processes)
        self._in_flight = max(1, config.prepare_processes)

    def stop(self) -> None:
        """Finish the batch in hand, commit it, and return from :meth:`run`."""
        self._stop.set()

    async def run(self) -> None:
        """Consume until :meth:`stop`."""
        topics = (TOPICS.ai_calls.name, TOPICS.incidents.name)
        await self._preparer.start()
        await asyncio.to_thread(ensure_ledger_topic, self.config.bootstrap)
        try:
            await self._consume(topics)
        finally:
            self._preparer.close()

    async def _consume(self, topics: tuple[str, ...]) -> None:
        async with consumer_and_producer(self.config.bootstrap, topics, self.config.group, self.config.start_from,
                                         self.config.batch_size) as (consumer, producer):
            self.consumer = consumer
            if await wait_for_assignment(consumer, self._stop):
                logger.info("ready: reading %s", _partitions(consumer.assignment()))
            self.ready.set()
            polling = asyncio.create_task(self._poll(consumer))
            preparing: collections.deque[tuple[asyncio.Task, dict]] = collections.deque()
            writing: asyncio.Task | None = None
            try:
                while not self._stop.is_set() or preparing:
                    if not self._stop.is_set():
                        batches = await polling
                        polling = asyncio.create_task(self._poll(consumer))  # the next poll runs meanwhile
                        if batches:
                            preparing.append((asyncio.create_task(self._prepare(batches)), batches))
                    if not preparing or self._may_prepare_more(preparing):
                        continue
                    task, batches = preparing.popleft()
                    prepared = await task  # evaluated while the batch before was written
                    if writing is not None:
                        await writing  # batches are stored and committed in the order they were read
                    offsets = {tp: recs[-1].offset + 1 for tp, recs in batches.items()}
                    writing = asyncio.create_task(self._store_and_commit(prepared, offsets, consumer, producer))
                if writing is not None:
                    await writing
            finally:
                polling.cancel()  # records it read are not committed: the next sink reads them again
                with contextlib.suppress(asyncio.CancelledError):
                    await polling

    def _may_prepare_more(self, preparing: collections.deque) -> bool:
        """Whether to poll again before writing the oldest batch: keeps every preparing process busy."""
        return len(preparing) < self._in_flight and not preparing[0][0].done() and not self._stop.is_set()

    async def _poll(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list]:
        return await consumer.getmany(timeout_ms=self.config.poll_ms, max_records=self.config.batch_size)

    async def _prepare(self, batches: dict[TopicPartition, list]) -> tuple[Prepared, list]:
        """Decode and evaluate the calls (in the preparing process); incident snapshots are kept as they are."""
        calls, snapshots = [], []
        for tp, records in batches.items():
            (calls if tp.topic == TOPICS.ai_calls.name else snapshots).extend(records)
        return await self._preparer(Records.of(TOPICS.ai_calls.name, calls)), snapshots

    async def _store_and_commit(self, prepared: tuple[Prepared, list], offsets: dict, consumer: AIOKafkaConsumer,
                                producer: AIOKafkaProducer) -> None:
        batch, snapshots = prepared
        await self._store_calls(batch, producer)
        for record in snapshots:
            await self._keep_incident(record.value, record.partition)
        await self._publish_heads(producer)
        self.committed.update(await commit_owned(consumer, offsets))

    async def _store_calls(self, prepared: Prepared, producer: AIOKafkaProducer) -> None:
        if prepared.batch.received:
            started = time.monotonic()
            result = await _retry("store write", lambda: asyncio.to_thread(self.writer.write_batch, prepared.batch))
            self.batches += 1
            self.write_seconds += time.monotonic() - started
            self.stored += result.written
            self.duplicates += result.duplicates
            logger.info("stored batch %s: %d new, %d duplicate; store holds %d calls",
                        result.batch_id, result.written, result.duplicates, self.writer.total)
        if prepared.letters:
            await self._dead_letter(prepared.letters, producer)

    async def _publish_heads(self, producer: AIOKafkaProducer) -> None:
        """Send the heads of the entries just written to the compacted topic (they are in the head file already)."""
        heads, self.writer.published = list(self.writer.published.values()), {}
        sends = [await producer.send(LEDGER_TOPIC, key=h.key.encode(), value=h.to_json()) for h in heads]
        await asyncio.gather(*sends)

    async def _keep_incident(self, value: bytes | None, partition: int | None = None) -> None:
        try:
            message = json.loads(value or b"")
        except ValueError:
            return  # not ours to judge: the stream worker dead-letters bad commands
        if message.get("type") == "state":
            await _retry("incident write", lambda: asyncio.to_thread(self.writer.record_incident, message["state"],
                                                                     partition))

    async def _dead_letter(self, letters: list[DeadLetter], producer: AIOKafkaProducer) -> None:
        self.dead_letters += len(letters)
        logger.warning("%d record(s) of this batch went to the DLQ; first from %s (%s): %s",
                       len(letters), letters[0].origin, letters[0].stage, letters[0].reason)
        sends = [await send_dead_letter(producer, letter) for letter in letters]
        await asyncio.gather(*sends)


def _partitions(assigned: set[TopicPartition]) -> str:
    """``topic [0, 1, 2]; other [3]``: the partitions a sink was given, for its log."""
    topics = sorted({tp.topic for tp in assigned})
    return "; ".join(f"{t} {sorted(tp.partition for tp in assigned if tp.topic == t)}" for t in topics)


async def _retry(what: str, attempt: Callable[[], Awaitable]):
    """Run ``attempt`` until it succeeds: nothing is committed to Kafka before it is stored."""
    delay = 0.5
    while True:
        try:
            return await attempt()
        except Exception as exc:  # noqa: BLE001 - retried with backoff, never skipped
            logger.error("%s failed (%s: %s); retrying in %.1f s", what, type(exc).__name__, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_BACKOFF)
