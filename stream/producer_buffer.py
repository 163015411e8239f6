"""A Faust producer whose flush holds: what was put in before it is on the broker, in order, when it returns.

Faust writes a table's changelog through a buffer that a task drains one record at a time, and commits
the offsets of the events behind those writes right after flushing it. Its flush gives up once 0.1 s
pass without a record leaving (a busy machine, a topic whose metadata is still being fetched), and
does not wait for the record the task is handing over; at stop, the Kafka client closes before the
buffer's own last flush. Either way an offset can be committed while the table change it stands for
is still in memory, and the next worker restores the table without it: a CI run saw the incident desk
restart one call short of what it had committed (the count was saved only because the call was judged
again). This flush hands every waiting record to the client itself, one at a time in the order they
were put, and then flushes the client, so a commit never runs ahead of its changelog.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.transport.producer import ProducerBuffer

logger = logging.getLogger(__name__)


class RecordLost(RuntimeError):
    """A record of the producer buffer could not be handed to the Kafka client: no commit may follow."""


class OrderedFlushBuffer(ProducerBuffer):
    """Faust's producer buffer with a flush that returns once every record put before it was handed over."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # One hand-over at a time, fairly: whoever took a record from the queue first sends it first,
        # whether the buffer's task or the drain, so records keep the order they were put in.
        self._handing_over = asyncio.Lock()
        self._put = 0  # records put so far
        self._settled = 0  # of those, handed over or lost, in the order they were put
        self._lost: BaseException | None = None
        self._draining: asyncio.Future | None = None

    def put(self, fut) -> None:
        self._put += 1
        super().put(fut)

    async def _send_pending(self, fut) -> None:
        async with self._handing_over:
            try:
                await super()._send_pending(fut)
            except BaseException as exc:
                if self._lost is None:
                    self._lost = exc
                    logger.error("a record of the producer buffer was not sent (%r): the worker commits nothing "
                                 "more, so what it stands for is processed again after a restart", exc)
                raise
            finally:
                self._settled += 1

    async def flush(self) -> None:
        """Return once every record put before the call was handed to the Kafka client. The records are handed
        over by one task of the buffer's own: a caller cancelled meanwhile (a commit, a stop) does not take
        the record in hand with it. Raises :class:`RecordLost` once any record could not be handed over."""
        target = self._put
        while self._settled < target and self._lost is None:
            if self._draining is None or self._draining.done():
                self._draining = asyncio.ensure_future(self._drain())
            with contextlib.suppress(Exception):  # a failed hand-over is reported below, by ``_lost``
                await asyncio.shield(self._draining)
        if self._lost is not None:
            raise RecordLost(f"a record of the producer buffer was not sent: {self._lost!r}") from None

    async def _drain(self) -> None:
        while True:
            try:
                fut = self.pending.get_nowait()
            except asyncio.QueueEmpty:
                break
            await self._send_pending(fut)
            self.message_sent.set()
        async with self._handing_over:  # the record the buffer's own task took last was handed over too
            pass

    async def on_stop(self) -> None:
        """The producer flushed this buffer before its client closed: a record put since cannot be sent."""
        if self.size:
            logger.error("%d record(s) were put in the producer buffer after its Kafka client closed and are "
                         "not sent; the offsets behind them were not committed, so they are processed again",
                         self.size)


class FlushingProducer(aiokafka_driver.Producer):
    """Faust's aiokafka producer with an :class:`OrderedFlushBuffer`, flushed before its client closes."""

    def __init__(self, transport, loop=None, **kwargs) -> None:
        super().__init__(transport, loop=loop, **kwargs)
        if self.threaded_producer is not None:
            raise ValueError("producer_threaded is not supported: its queue lives on another thread")
        self.buffer.beacon.detach(self.beacon)  # Faust's own buffer, never started: out of the service tree
        self.buffer = OrderedFlushBuffer(loop=self.loop, beacon=self.beacon)
        self.buffer.app = self.app

    async def on_stop(self) -> None:
        """Send what the buffer holds while the client is still open, then close it (a record lost before was
        logged when it was; the worker stops either way)."""
        try:
            with contextlib.suppress(RecordLost):
                await self.buffer.flush()
        finally:
            await super().on_stop()


class FlushingApp(faust.App):
    """A Faust app whose producer is a :class:`FlushingProducer` where the broker is ``kafka://`` (aiokafka)."""

    def _new_producer(self):
        # Faust has no setting for its producer class: this is the factory App.producer calls.
        if not isinstance(self.transport, aiokafka_driver.Transport):
            return super()._new_producer()  # another driver (memory://, confluent://): its own producer
        return FlushingProducer(self.transport, loop=self.loop, beacon=self.beacon)
