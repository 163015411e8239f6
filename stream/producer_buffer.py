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
import logging

import faust
from faust.transport.drivers import aiokafka as aiokafka_driver
from faust.transport.producer import ProducerBuffer

logger = logging.getLogger(__name__)


class OrderedFlushBuffer(ProducerBuffer):
    """Faust's producer buffer with a flush that returns once every record put before it was handed over."""

    def __post_init__(self) -> None:
        super().__post_init__()
        # One hand-over at a time, fairly: whoever took a record from the queue first sends it first,
        # whether the buffer's task or a flush, so records keep the order they were put in.
        self._handing_over = asyncio.Lock()

    async def _send_pending(self, fut) -> None:
        async with self._handing_over:
            await super()._send_pending(fut)

    async def flush(self) -> None:
        """Hand every waiting record to the Kafka client, then wait for the one the buffer's task has in hand."""
        while True:
            try:
                fut = self.pending.get_nowait()
            except asyncio.QueueEmpty:
                break
            await self._send_pending(fut)
            self.message_sent.set()
        async with self._handing_over:
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
        self.buffer = OrderedFlushBuffer(loop=self.loop, beacon=self.beacon)
        self.buffer.app = self.app

    async def on_stop(self) -> None:
        """Send what the buffer holds while the client is still open, then close it."""
        await self.buffer.flush()
        await super().on_stop()


class FlushingApp(faust.App):
    """A Faust app whose producer is a :class:`FlushingProducer` (the broker URL must be ``kafka://``)."""

    def _new_producer(self) -> FlushingProducer:
        # Faust has no setting for its producer class: this is the factory App.producer calls.
        return FlushingProducer(self.transport, loop=self.loop, beacon=self.beacon)
