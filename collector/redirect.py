"""Request-reply over Kafka: hand a request to the sovereign worker and await its answer.

Every gateway instance reads all partitions of ``douane.responses`` (no consumer group,
from the end) and completes the futures of the correlation ids it is waiting for; answers
to other instances' requests, and repeats after a worker restart, are ignored.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from douane.contract import TOPICS, DecodeError, RedirectRequest, RedirectResponse, decode_response, encode

logger = logging.getLogger(__name__)


class RedirectClient:
    """Publishes to ``douane.redirect`` and resolves replies from ``douane.responses``."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        self._pending: dict[UUID, asyncio.Future] = {}
        self._producer: AIOKafkaProducer | None = None
        self._consumer: AIOKafkaConsumer | None = None
        self._reader: asyncio.Task | None = None

    async def start(self) -> None:
        """Connect, take every partition of the responses topic, and start reading from its end."""
        self._producer = AIOKafkaProducer(bootstrap_servers=self.bootstrap, acks="all", linger_ms=0,
                                          max_request_size=2 * 1024 * 1024)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False,
                                          auto_offset_reset="latest")
        await self._producer.start()
        await self._consumer.start()
        try:
            partitions = await asyncio.wait_for(self._producer.partitions_for(TOPICS.responses.name), 30)
        except Exception as exc:
            await self.close()
            raise RuntimeError(f"topic {TOPICS.responses.name} is not readable ({type(exc).__name__}): "
                               "run 'douane kafka topics'") from exc
        assigned = [TopicPartition(TOPICS.responses.name, p) for p in sorted(partitions)]
        self._consumer.assign(assigned)
        for tp in assigned:
            await self._consumer.position(tp)  # fixes the start before any request goes out
        self._reader = asyncio.create_task(self._read())

    async def close(self) -> None:
        """Stop reading; waiting callers get ``None``."""
        if self._reader:
            self._reader.cancel()
        for future in self._pending.values():
            if not future.done():
                future.set_result(None)
        if self._consumer:
            await self._consumer.stop()
        if self._producer:
            await self._producer.stop()

    async def ask(self, request: RedirectRequest, timeout: float) -> RedirectResponse | None:
        """The worker's answer, or ``None`` when none came within ``timeout`` seconds."""
        future = asyncio.get_running_loop().create_future()
        self._pending[request.correlation_id] = future
        try:
            await self._producer.send_and_wait(TOPICS.redirect.name, key=str(request.correlation_id).encode(),
                                               value=encode(request))
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            self._pending.pop(request.correlation_id, None)

    async def _read(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=100)
            for record in (r for recs in batches.values() for r in recs):
                self._resolve(record.value)

    def _resolve(self, value: bytes | None) -> None:
        try:
            reply = decode_response(value)
        except DecodeError as exc:
            logger.warning("unreadable record on %s: %s", TOPICS.responses.name, exc.reason)
            return
        future = self._pending.get(reply.correlation_id)
        if future is not None and not future.done():
            future.set_result(reply)
