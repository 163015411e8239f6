"""The judging path: a batch consumer of ``douane.ai-calls`` that runs beside the Faust app.

Faust's per-message stream handling cost more than the judging itself (a measured 48% of the
worker's CPU against 23% for decode, rules, encode and publish), so the calls do not go through
a Faust agent. This consumer takes whole polls, hands each as one batch to the pipeline, sends
what the stages publish (findings, provider signals, dead letters) through one producer without
waiting record by record, and commits the poll's offsets only once the broker has all of it.
Faust keeps what needs state: the incident tables, windows and the delivery of alerts.

The consumer group is the app id with ``.judge`` appended, so any number of workers share the
calls' partitions whatever the calls are keyed by; findings stay keyed by tenant, so each
incident is counted by the one worker that owns its tenant in the Faust group.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.partitioner import DefaultPartitioner
from mode import Service

from douane.contract import TOPICS
from douane.kafka_io import commit_owned, consumer_and_producer, wait_for_assignment
from stream.pipeline import Raw, collector_paused
from stream.upgrade import adopt_positions

logger = logging.getLogger(__name__)

Process = Callable[[list[Raw]], Awaitable[None]]

PRODUCER_OPTIONS = {"linger_ms": 5, "max_batch_size": 512 * 1024}
"""How the judge's producer batches. A poll's findings are mostly of one tenant, so of one partition, and
about 1.7 KB each: aiokafka's default 16 KB batch held nine of them, and as an idempotent producer sends
one batch per partition at a time, each nine findings cost a round trip to the broker (then ~80 % of the
judge's CPU). A poll's findings now leave in one or two batches; 512 KB stays under the broker's default
``message.max.bytes`` (1 MB)."""


class OutTopic:
    """A topic the stages publish to: records are collected during a batch and sent in one go by :meth:`flush`.

    aiokafka's per-record ``send`` (a coroutine, a future and a Python murmur2 hash per record) cost about
    as much as encoding the finding; the records of a batch are appended to one producer batch per
    partition instead, each key hashed once per flush.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._producer: AIOKafkaProducer | None = None
        self._records: list[tuple[bytes | None, bytes, int | None, list[tuple[str, bytes]]]] = []
        self.sent = 0
        self.batches = 0  # producer batches sent: each is a produce request to the partition's leader

    def bind(self, producer: AIOKafkaProducer | None) -> None:
        """Use ``producer`` from now on (None: the judge stopped)."""
        self._producer = producer

    async def send(self, key: bytes | None, value: bytes, timestamp: float | None = None,
                   headers: list[tuple[str, bytes]] | None = None) -> None:
        """Collect one record (``timestamp`` in seconds, as Faust takes it); it is on the broker after :meth:`flush`."""
        self.add(key, value, int(timestamp * 1000) if timestamp is not None else None, headers or [])

    def add(self, key: bytes | None, value: bytes, ms: int | None = None, headers: list | None = None) -> None:
        """:meth:`send` without the coroutine, for a stage that publishes many records of a batch (``ms``: ms)."""
        if self._producer is None:
            raise RuntimeError(f"nothing publishes to {self.name}: the judge is not running")
        self._records.append((key, value, ms, headers or []))

    async def flush(self) -> None:
        """Send what was collected and wait until the broker has all of it (raises when some could not be sent)."""
        records, self._records = self._records, []
        if not records:
            return
        by_partition = _by_partition(records, sorted(await self._producer.partitions_for(self.name)))
        deliveries = []
        for partition, group in by_partition.items():
            deliveries += await _send_batches(self._producer, self.name, partition, group)
        await asyncio.gather(*deliveries)
        self.sent += len(records)
        self.batches += len(deliveries)


def _by_partition(records: list, partitions: list[int]) -> dict[int, list]:
    """Records grouped by the partition Kafka's default partitioner gives their key."""
    partitioner = DefaultPartitioner()
    of_key: dict[bytes | None, int] = {}
    out: dict[int, list] = {}
    for record in records:
        key = record[0]
        if key not in of_key or key is None:
            of_key[key] = partitioner(key, partitions, partitions)
        out.setdefault(of_key[key], []).append(record)
    return out


async def _send_batches(producer: AIOKafkaProducer, topic: str, partition: int, records: list) -> list:
    """Append ``records`` to producer batches (a new one whenever one is full); the delivery futures."""
    deliveries, batch = [], producer.create_batch()
    for key, value, ms, headers in records:
        if batch.append(key=key, value=value, timestamp=ms, headers=headers) is None:
            deliveries.append(await producer.send_batch(batch, topic, partition=partition))
            batch = producer.create_batch()
            if batch.append(key=key, value=value, timestamp=ms, headers=headers) is None:
                raise ValueError(f"a record of {len(value)} bytes does not fit in a batch of {topic}")
    deliveries.append(await producer.send_batch(batch, topic, partition=partition))
    return deliveries


class Judge:
    """Consumes ``douane.ai-calls`` in polls, runs each through ``process``, commits once its output landed."""

    def __init__(self, bootstrap: str, group: str, process: Process, topics: list[OutTopic], *,
                 start_from: str = "earliest", batch_size: int = 1000, poll_ms: int = 100,
                 adopt_from: str | None = None) -> None:
        self.bootstrap = bootstrap
        self.adopt_from = adopt_from  # the group an earlier worker read the calls in (see stream.upgrade)
        self.group = group
        self.process = process
        self.topics = topics
        self.start_from = start_from
        self.batch_size = batch_size
        self.poll_ms = poll_ms
        self.judged = 0
        self.polls = 0
        self.committed: dict[TopicPartition, int] = {}
        self.consumer: AIOKafkaConsumer | None = None
        self._stop = asyncio.Event()

    def assignment(self) -> set[TopicPartition]:
        """The calls' partitions this worker judges now."""
        return set(self.consumer.assignment()) if self.consumer is not None else set()

    def stop(self) -> None:
        """Finish the poll in hand, commit it, and return from :meth:`run`."""
        self._stop.set()

    async def run(self, ready: asyncio.Event | None = None) -> None:
        """Judge until :meth:`stop`; ``ready`` is set once the group gave this worker its partitions."""
        if self.adopt_from:
            await asyncio.to_thread(adopt_positions, self.bootstrap, self.adopt_from, self.group, TOPICS.ai_calls.name)
        async with consumer_and_producer(self.bootstrap, (TOPICS.ai_calls.name,), self.group, self.start_from,
                                         self.batch_size, **PRODUCER_OPTIONS) as (consumer, producer):
            self.consumer = consumer
            for topic in self.topics:
                topic.bind(producer)
            try:
                await wait_for_assignment(consumer, self._stop)
                if ready is not None:
                    ready.set()
                while not self._stop.is_set():
                    await self._poll_once(consumer)
            finally:
                for topic in self.topics:
                    topic.bind(None)
                self.consumer = None

    async def _poll_once(self, consumer: AIOKafkaConsumer) -> None:
        with collector_paused():  # back on each poll, once the poll's objects are gone
            judged = await self._judge_poll(consumer)
        if judged is not None:
            self.judged += judged[0]
            self.polls += 1
            self.committed.update(await commit_owned(consumer, judged[1]))

    async def _judge_poll(self, consumer: AIOKafkaConsumer) -> tuple[int, dict[TopicPartition, int]] | None:
        """Take a poll, judge it and publish what it yields: how many records, and the offsets to commit."""
        batches = await self._take(consumer)
        if not batches:
            return None
        offsets = {tp: rs[-1].offset + 1 for tp, rs in batches.items()}
        raws = [Raw(r.key, r.value, r) for records in batches.values() for r in records]  # r: where it was read
        await self.process(raws)
        for topic in self.topics:
            await topic.flush()
        return len(raws), offsets

    async def _take(self, consumer: AIOKafkaConsumer) -> dict[TopicPartition, list]:
        """Up to ``batch_size`` records, gathered for at most ``poll_ms``: a fetch hands over a few dozen
        records at a time, and each batch costs a commit and a wait for the producer."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.poll_ms / 1000
        batches: dict[TopicPartition, list] = {}
        taken = 0
        while taken < self.batch_size:
            left = max(0.0, deadline - loop.time())
            got = await consumer.getmany(timeout_ms=int(left * 1000), max_records=self.batch_size - taken)
            for tp, records in got.items():
                batches.setdefault(tp, []).extend(records)
                taken += len(records)
            if left == 0.0:
                break
        return batches


class JudgeService(Service):
    """Runs a :class:`Judge` for as long as the Faust app runs; the app is started once the judge is assigned."""

    def __init__(self, judge: Judge, **kwargs) -> None:
        super().__init__(**kwargs)
        self.judge = judge
        self._task: asyncio.Task | None = None

    async def on_start(self) -> None:
        """Join the judge's group before the app reports itself started (tests publish right after)."""
        ready = asyncio.Event()
        self._task = asyncio.create_task(self.judge.run(ready))
        waiting = asyncio.create_task(ready.wait())
        await asyncio.wait({self._task, waiting}, return_when=asyncio.FIRST_COMPLETED)
        if self._task.done():
            waiting.cancel()
            self._task.result()  # it failed before it was assigned: say why
        self._task.add_done_callback(self._ended)
        # The policies, engines and Faust's own objects live as long as the worker: keep the cyclic
        # collector's full passes, triggered by the objects of every batch, from walking them again and again.
        gc.freeze()

    def _ended(self, task: asyncio.Task) -> None:
        """A judge that failed (the broker refused what it published, say) crashes the worker, loudly:
        a worker whose Faust app runs on without judging would look healthy and audit nothing. Its
        uncommitted batch is judged again by the next worker of the group."""
        if not task.cancelled() and task.exception() is not None:
            asyncio.ensure_future(self.crash(task.exception()))

    async def on_stop(self) -> None:
        """Finish and commit the poll in hand."""
        self.judge.stop()
        if self._task is not None and not self._task.done():
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
