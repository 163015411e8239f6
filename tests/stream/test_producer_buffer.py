"""What the Faust app's producer buffer holds is on the broker when the app commits or stops.

The incident desk's tables write their changelog through Faust's producer buffer, and Faust commits the
desk's offsets right after flushing that buffer. A flush that returns with records still in the buffer
lets a commit run ahead of the table: a worker stopped then restarts without the counts it had committed
(a CI run saw an incident short of one call it had counted). The records here go to a topic the
producer has no metadata for yet, so handing each one to the Kafka client takes longer than Faust's own
flush waits for (it gives up after 0.1 s without progress).
"""

from __future__ import annotations

import asyncio
import contextlib
from types import SimpleNamespace

import pytest

from stream import EmbeddedWorker
from tests.helpers import read_all
from stream.app import StreamConfig, _faust_app
from stream.producer_buffer import OrderedFlushBuffer, RecordLost

pytestmark = pytest.mark.kafka
RECORDS = 30


def _app_and_topic(bootstrap: str, unique: str):
    app = _faust_app(StreamConfig(bootstrap=bootstrap, app_id=f"buffer-{unique}"))
    return app, app.topic(f"douane.test-buffer-{unique}", key_serializer="raw", value_serializer="raw")


async def test_a_flush_returns_once_every_record_put_before_it_was_acknowledged(kafka_bootstrap, unique) -> None:
    app, topic = _app_and_topic(kafka_bootstrap, unique)
    async with EmbeddedWorker(app) as worker:
        await worker.wait_ready()
        sent = [topic.send_soon(key=b"k", value=str(i).encode()) for i in range(RECORDS)]
        await app.producer.flush()
        await asyncio.sleep(0)  # the acknowledgements' callbacks run; nothing new can reach the broker meanwhile
        acknowledged = sum(future.done() for future in sent)
    assert acknowledged == RECORDS, "the flush returned before the records were on the broker"
    assert await asyncio.to_thread(_values, kafka_bootstrap, topic.get_topic_name()) == \
        [str(i) for i in range(RECORDS)], "in the order they were put"


async def test_records_put_right_before_a_stop_are_on_the_broker_after_it(kafka_bootstrap, unique) -> None:
    app, topic = _app_and_topic(kafka_bootstrap, unique)
    async with EmbeddedWorker(app) as worker:
        await worker.wait_ready()
        for i in range(RECORDS):
            topic.send_soon(key=b"k", value=str(i).encode())
    values = await asyncio.to_thread(_values, kafka_bootstrap, topic.get_topic_name())
    assert values == [str(i) for i in range(RECORDS)], "every record, in order, nothing left in the buffer"


async def test_a_flush_cancelled_midway_loses_nothing(kafka_bootstrap, unique) -> None:
    """A commit can be cancelled while it flushes (a rebalance, a stop): what the flush had taken is sent all
    the same, and the next flush finds nothing missing."""
    app, topic = _app_and_topic(kafka_bootstrap, unique)
    async with EmbeddedWorker(app) as worker:
        await worker.wait_ready()
        for i in range(RECORDS):
            topic.send_soon(key=b"k", value=str(i).encode())
        flushing = asyncio.ensure_future(app.producer.flush())
        await asyncio.sleep(0.02)  # the producer is still fetching the new topic's metadata
        flushing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await flushing
        await app.producer.flush()
    values = await asyncio.to_thread(_values, kafka_bootstrap, topic.get_topic_name())
    assert values == [str(i) for i in range(RECORDS)], "every record, in order, the cancelled flush's too"


async def test_after_a_record_that_cannot_be_sent_every_flush_fails() -> None:
    """A record the client refuses is lost: no flush may succeed after it, so no commit goes past what it
    stood for. (The refusal is injected where the buffer hands a record over: with a real broker the
    buffer's own task meets it first and Faust crashes the worker, as it should, but not cleanly enough to
    share a test process.)"""
    sent: list[int] = []

    class Refusing:  # where Faust's topic hands a record to the Kafka client
        async def publish_message(self, fut, wait=False):
            if fut.n == 1:
                raise ValueError("larger than max_request_size")
            sent.append(fut.n)

    app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    buffer = OrderedFlushBuffer()
    buffer.app = app
    for n in range(3):
        buffer.put(SimpleNamespace(n=n, message=SimpleNamespace(channel=Refusing())))
    with pytest.raises(RecordLost, match="larger than max_request_size"):
        await buffer.flush()
    buffer.put(SimpleNamespace(n=3, message=SimpleNamespace(channel=Refusing())))
    with pytest.raises(RecordLost):
        await buffer.flush()
    assert sent == [0], "the record put before the lost one was sent; a flush hands over nothing after a loss"


def _values(bootstrap: str, topic: str) -> list[str]:
    """Every value on the topic, in order (one key: one partition)."""
    return [record.value.decode() for record in read_all(bootstrap, topic, timeout=60)]
