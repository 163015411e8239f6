"""Events leave the request path here: a bounded hand-off, a sender thread, and the spool behind it.

``emit`` never blocks: it puts the event on a queue. The sender thread publishes with an
idempotent kafka-python producer and waits for the acknowledgement at most ``ack_timeout``;
when Kafka is unreachable the event goes to the fsynced spool instead, and while the spool
holds anything new events queue behind it so the order is kept. A drain pass resends the
spool, in order, whenever the broker answers again.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from kafka import KafkaProducer
from kafka.errors import KafkaError

from collector.spool import Spool
from douane.contract import TOPICS, AICallEvent, encode

logger = logging.getLogger(__name__)


class Outbox:
    """Publishes events to ``douane.ai-calls`` without ever making a caller wait on Kafka."""

    def __init__(self, bootstrap: str, spool_dir: Path, ack_timeout: float = 2.0, retry_every: float = 1.0) -> None:
        self.bootstrap = bootstrap
        self.spool = Spool(spool_dir)
        self.ack_timeout = ack_timeout
        self.retry_every = retry_every
        self.published = 0
        self.spooled = 0
        self._queue: queue.Queue[AICallEvent | None] = queue.Queue(maxsize=10_000)
        self._producer: KafkaProducer | None = None
        self._thread = threading.Thread(target=self._run, name="douane-outbox", daemon=True)
        self._thread.start()

    def emit(self, event: AICallEvent) -> None:
        """Hand ``event`` over; when the hand-off is full it goes straight to the spool."""
        try:
            self._queue.put_nowait(event)
        except queue.Full:
            self._spool(encode(event))

    def close(self, timeout: float = 10.0) -> None:
        """Send what is queued (or spool it) and stop."""
        self._queue.put(None)
        self._thread.join(timeout)
        if self._producer is not None:
            self._producer.close(timeout=2)
        self.spool.close()

    @property
    def backlog(self) -> int:
        """Events waiting in the hand-off queue."""
        return self._queue.qsize()

    def _run(self) -> None:
        last_drain = 0.0
        while True:
            try:
                event = self._queue.get(timeout=self.retry_every)
            except queue.Empty:
                event = ...
            if event is None:
                self._drain()
                return
            if not self.spool.empty and time.monotonic() - last_drain >= self.retry_every:
                last_drain = time.monotonic()
                self._drain()
            if event is not ...:
                value = encode(event)
                if self.spool.empty and self._send(event.tenant.encode(), value):
                    self.published += 1
                else:
                    self._spool(value)

    def _send(self, key: bytes, value: bytes) -> bool:
        try:
            producer = self._connect()
            producer.send(TOPICS.ai_calls.name, key=key, value=value).get(timeout=self.ack_timeout)
        except (KafkaError, OSError) as exc:
            logger.warning("Kafka unreachable (%s); events go to the spool", type(exc).__name__)
            self._reset()
            return False
        return True

    def _drain(self) -> None:
        while not self.spool.empty:
            records = self.spool.pending(limit=500)
            for value, end in records:
                if not self._send(_tenant_of(value), value):
                    return
                self.spool.commit(end)  # per record: a failure mid-batch resends nothing already sent
                self.published += 1
            logger.info("drained %d spooled event(s) to Kafka", len(records))

    def _spool(self, value: bytes) -> None:
        self.spool.append(value)
        self.spooled += 1

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = KafkaProducer(bootstrap_servers=self.bootstrap, client_id="douane-gateway",
                                           enable_idempotence=True, acks="all", linger_ms=2,
                                           max_block_ms=int(self.ack_timeout * 1000),
                                           request_timeout_ms=int(self.ack_timeout * 1000) + 1000,
                                           reconnect_backoff_max_ms=1000)
        return self._producer

    def _reset(self) -> None:
        if self._producer is not None:
            try:
                self._producer.close(timeout=0)
            except Exception:  # noqa: BLE001 - a broken producer is dropped whatever it says
                pass
            self._producer = None


def _tenant_of(value: bytes) -> bytes:
    """The partition key of a spooled event (its tenant), read without a full parse."""
    marker = b'"tenant":"'
    start = value.find(marker)
    if start < 0:
        return b""
    start += len(marker)
    return value[start: value.index(b'"', start)]
