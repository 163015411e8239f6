"""The sovereign worker: ``douane.redirect`` in, ``douane.responses`` out.

Per poll it takes at most ``concurrency`` requests, answers them concurrently, sends every
reply, and only then commits the offsets. A worker killed mid-batch has committed nothing
of that batch, so its successor answers those requests again (the gateway takes the first
answer per correlation id and ignores repeats). Backpressure is Kafka's: nothing more is
read while a batch is being answered.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from douane.contract import TOPICS, DecodeError, RedirectResponse, ReplyStatus, encode
from douane.contract.deadletter import DeadLetter, Origin
from douane.kafka_io import consumer_and_producer, send_dead_letter
from inference.answer import answer, parse
from inference.engines import Engine
from inference.metrics import WorkerMetrics

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    """How the worker reaches Kafka and how much it takes on at once."""

    bootstrap: str
    group: str = "douane-inference"
    concurrency: int = 8
    timeout_s: float = 30.0
    poll_ms: int = 100
    start_from: str = "earliest"


class InferenceWorker:
    """Answers redirected requests with one engine; several workers share the partitions."""

    def __init__(self, config: WorkerConfig, engine: Engine) -> None:
        self.config = config
        self.engine = engine
        self.metrics = WorkerMetrics(engine.name)
        self.answered = 0
        self.ready = asyncio.Event()
        self._stop = asyncio.Event()

    def stop(self) -> None:
        """Finish and commit the batch in hand, then return from :meth:`run`."""
        self._stop.set()

    async def run(self) -> None:
        """Start the engine and answer until :meth:`stop`."""
        await self.engine.start()
        try:
            async with consumer_and_producer(self.config.bootstrap, (TOPICS.redirect.name,), self.config.group,
                                             self.config.start_from, self.config.concurrency,
                                             max_request_size=2 * 1024 * 1024) as (consumer, producer):
                await self._loop(consumer, producer)
        finally:
            await self.engine.close()

    async def _loop(self, consumer: AIOKafkaConsumer, producer: AIOKafkaProducer) -> None:
        while not self._stop.is_set():
            if not self.ready.is_set() and consumer.assignment():
                for tp in consumer.assignment():
                    await consumer.position(tp)  # resolves where reading starts before we say ready
                self.ready.set()
            batches = await consumer.getmany(timeout_ms=self.config.poll_ms, max_records=self.config.concurrency)
            records = [r for recs in batches.values() for r in recs]
            if not records:
                continue
            await self._answer_all(records, producer)
            await consumer.commit({tp: recs[-1].offset + 1 for tp, recs in batches.items()})

    async def _answer_all(self, records: list, producer: AIOKafkaProducer) -> None:
        replies = await asyncio.gather(*(self._answer_one(r) for r in records))
        sends = []
        for record, reply in zip(records, replies):
            if isinstance(reply, DeadLetter):
                sends.append(await send_dead_letter(producer, reply))
            else:
                key = str(reply.correlation_id).encode()
                sends.append(await producer.send(TOPICS.responses.name, key=key, value=encode(reply)))
        await asyncio.gather(*sends)  # every reply is on the broker before the offsets move

    async def _answer_one(self, record) -> RedirectResponse | DeadLetter:
        try:
            parsed = parse(record.value, record.key, self.engine.name)
        except DecodeError as exc:
            logger.warning("redirect record %s/%d@%d has no correlation id: %s",
                           record.topic, record.partition, record.offset, exc.reason)
            self.metrics.reply("dead_letter", "undecodable")
            return DeadLetter(record.key, record.value, exc.reason, "inference.decode",
                              Origin(record.topic, record.partition, record.offset))
        reply = parsed if isinstance(parsed, RedirectResponse) else await self._generate(parsed)
        self.answered += 1
        self.metrics.reply(reply.status.value, reply.error.kind if reply.error else "")
        if reply.status is ReplyStatus.ERROR:
            logger.warning("request %s answered with an error: %s", reply.correlation_id, reply.error.kind)
        return reply

    async def _generate(self, request) -> RedirectResponse:
        gauge = self.metrics.in_flight.labels(self.engine.name)
        gauge.inc()
        try:
            with self.metrics.latency.labels(self.engine.name).time():
                return await answer(self.engine, request, self.config.timeout_s)
        finally:
            gauge.dec()

