"""Art. 49 use counted over every worker: each worker announces the uses it counts, and reads the others'.

The judge keys calls by event id, so one tenant's calls are judged by several workers; counted
apart, each worker would allow ``max_calls`` on its share and a steady stream would pass for
occasional. So each use a worker counts goes, after its batch, to a small topic (keyed by tenant,
activity and recipient; the call's time and id; never content), and every worker reads the whole
topic, from the window's start on, into its own count. A worker thus judges with the tenant's total
as far as the others have announced it: the calls in flight between two workers (a batch or a poll)
are the only ones it does not see. A worker that starts reads the window back, so a restart does not
reset the count; a call judged twice (after a rebalance) is counted once, by its id.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from uuid import uuid4

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from mode import Service

from douane.contract.topics import DAY_MS, TopicSpec
from stream.derogations import DerogationUse, UseKey

logger = logging.getLogger(__name__)

USES = TopicSpec("douane.derogation-uses", 31 * DAY_MS, "Art. 49 uses counted by each worker (no content)")
READ_BACK = timedelta(milliseconds=USES.retention_ms)  # the topic keeps what the longest window (30 days) needs
_WORKER = "douane-worker"


@dataclass(frozen=True)
class Use:
    """One call counted as resting on a derogation: whose, when, which call, and how many the count keeps."""

    key: UseKey
    at: datetime
    call: str
    keep: int

    def record(self, worker: str) -> tuple[bytes, bytes, list[tuple[str, bytes]]]:
        """Kafka key, value and headers."""
        value = {"at": self.at.isoformat(), "call": self.call, "keep": self.keep}
        return "\x1f".join(self.key).encode(), json.dumps(value).encode(), [(_WORKER, worker.encode())]


def read_use(key: bytes | None, value: bytes | None) -> Use | None:
    """The use a record announces, or None for a record that is not one (logged, then skipped)."""
    try:
        parts = tuple(key.decode().split("\x1f"))
        body = json.loads(value)
        if len(parts) != 3:
            raise ValueError(f"a key of {len(parts)} parts")
        return Use(parts, datetime.fromisoformat(body["at"]), str(body["call"]), int(body["keep"]))
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        logger.warning("skipped a record of %s that is not a derogation use: %s", USES.name, exc)
        return None


class SharedUse(DerogationUse):
    """A :class:`DerogationUse` that queues the uses it counts for the others and takes in theirs."""

    def __init__(self, worker: str | None = None) -> None:
        super().__init__()
        self.worker = worker or uuid4().hex
        self.absorbed = 0  # other workers' uses taken in
        self._outgoing: list[Use] = []

    def count(self, key: UseKey, at: datetime, window: timedelta, keep: int, call: str | None = None) -> int:
        """As :meth:`DerogationUse.count`; a call counted for the first time is queued for the others."""
        if self.record(key, at, keep, call) and call is not None:
            self._outgoing.append(Use(key, at, call, keep))
        return self.within(key, at, window)

    def drain(self) -> list[Use]:
        """The uses counted since the last drain, to announce."""
        uses, self._outgoing = self._outgoing, []
        return uses

    def absorb(self, use: Use) -> None:
        """Count a use another worker announced."""
        self.record(use.key, use.at, use.keep, use.call)
        self.absorbed += 1


class UseExchange:
    """Announces a worker's uses on the uses topic and reads every worker's back into its count."""

    def __init__(self, bootstrap: str, use: SharedUse, topic: str = USES.name, partitions: int = 1) -> None:
        self.bootstrap = bootstrap
        self.use = use
        self.topic = topic
        self.partitions = partitions
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._reading: asyncio.Task | None = None

    async def start(self) -> None:
        """Create the topic if missing, seek every partition to the window's start, and read on in the background."""
        count = await asyncio.to_thread(_ensure_topic, self.bootstrap, self.topic, self.partitions)
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", enable_idempotence=True)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False)
        await self._producer.start()
        await self._consumer.start()
        partitions = [TopicPartition(self.topic, p) for p in range(count)]
        self._consumer.assign(partitions)
        await _seek_to(self._consumer, partitions, datetime.now(timezone.utc) - READ_BACK)
        self._reading = asyncio.create_task(self._read())

    async def send(self) -> int:
        """Announce the uses counted since the last call and wait until the broker has them; how many."""
        uses = self.use.drain()
        sent = [await self._producer.send(self.topic, key=k, value=v, headers=h)
                for k, v, h in (use.record(self.use.worker) for use in uses)]
        await asyncio.gather(*sent)
        return len(uses)

    async def stop(self) -> None:
        """Stop reading and close the clients."""
        if self._reading is not None:
            self._reading.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reading
        for client in (self._producer, self._consumer):
            if client is not None:
                await client.stop()

    async def _read(self) -> None:
        mine = self.use.worker.encode()
        while True:
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for r in records:
                    if dict(r.headers).get(_WORKER) == mine:
                        continue
                    use = read_use(r.key, r.value)
                    if use is not None:
                        self.use.absorb(use)


async def _seek_to(consumer: AIOKafkaConsumer, partitions: list[TopicPartition], since: datetime) -> None:
    found = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
    for tp in partitions:
        if found.get(tp) is not None:
            consumer.seek(tp, found[tp].offset)
        else:
            await consumer.seek_to_end(tp)  # nothing that recent: only what comes


def _ensure_topic(bootstrap: str, name: str, partitions: int) -> int:
    """Create the uses topic if missing (its partitions shown before this returns); its partition count."""
    from deploy.kafka import ensure_topics

    [state] = ensure_topics(bootstrap, partitions, (dataclasses.replace(USES, name=name),))
    return state.partitions


class UseExchangeService(Service):
    """Runs a worker's :class:`UseExchange` beside its judge: started before the first batch is judged,
    stopped after the last. The judge announces each batch's uses before it commits the batch."""

    def __init__(self, exchange: UseExchange, **kwargs) -> None:
        super().__init__(**kwargs)
        self.exchange = exchange

    async def on_start(self) -> None:
        """Read the window's uses back before the judge starts."""
        await self.exchange.start()

    async def on_stop(self) -> None:
        """Close the exchange's clients."""
        await self.exchange.stop()
