"""Events leave the request path here: a bounded hand-off, a sender thread, and the spool behind it.

``emit`` never blocks: it puts the event on a queue. The sender thread takes whatever is
queued (up to 500 events), publishes it with an idempotent kafka-python producer and waits for
the acknowledgements at most ``ack_timeout`` in all;
when Kafka is unreachable the event goes to the fsynced spool instead, and while the spool
holds anything new events queue behind it so the order is kept. A drain pass resends the
spool, in order, whenever the broker answers again.

Exactly once: a send whose acknowledgement was lost is *in doubt* (the broker may have written
it). Before draining, the outbox reads the topic's tail after its last acknowledged offsets
and skips the doubtful records that are already there (``landed.py``, ``doubt.py``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from pathlib import Path

from kafka import KafkaProducer
from kafka.errors import KafkaError

from collector.doubt import Doubt
from collector.landed import end_offsets, event_id_of, landed, text_field
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
        self.settled = 0
        self.doubt = Doubt(spool_dir / "doubt.json")
        self._last_drain = 0.0
        self._answering_since: float | None = None
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
    def delivery_timeout(self) -> float:
        """Seconds after which the producer gives a record up for good (then it is never sent later)."""
        return self.ack_timeout + 1.0 + 0.01  # kafka-python wants it >= request timeout + linger

    @property
    def settle_after(self) -> float:
        """Seconds the broker must have answered again before sends in doubt are looked for: by then a
        dropped producer has delivered or given up every record it held."""
        return self.delivery_timeout + self.ack_timeout

    @property
    def backlog(self) -> int:
        """Events waiting in the hand-off queue."""
        return self._queue.qsize()

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=self.retry_every)
            except queue.Empty:
                self._drain_if_due()
                continue
            batch = [first, *self._waiting(limit=499)]
            self._drain_if_due()
            self._publish([e for e in batch if e is not None])
            if None in batch:  # close() was called; it is always the last thing queued
                self._drain()
                return

    def _waiting(self, limit: int) -> list[AICallEvent | None]:
        """Whatever else is queued right now (up to ``limit``): sent together, acknowledged together."""
        more = []
        while len(more) < limit:
            try:
                more.append(self._queue.get_nowait())
            except queue.Empty:
                break
        return more

    def _publish(self, events: list[AICallEvent]) -> None:
        values = [(event.tenant.encode(), encode(event)) for event in events]
        sent = self._send_many(values) if self.spool.empty else 0
        self.published += sent
        for _key, value in values[sent:]:
            self._spool(value)

    def _drain_if_due(self) -> None:
        if not self.spool.empty and time.monotonic() - self._last_drain >= self.retry_every:
            self._last_drain = time.monotonic()
            self._drain()

    def _send(self, key: bytes, value: bytes) -> bool:
        """Publish one record and wait for its acknowledgement."""
        return self._send_many([(key, value)]) == 1

    def _send_many(self, records: list[tuple[bytes, bytes]]) -> int:
        """Publish ``records`` and wait (at most ``ack_timeout`` in all) for their acknowledgements.

        Returns how many, from the first, are acknowledged; the rest are the caller's to spool.
        Records that were handed to the producer but got no acknowledgement are in doubt.
        """
        futures = []
        try:
            producer = self._connect()
            for key, value in records:
                futures.append(producer.send(TOPICS.ai_calls.name, key=key, value=value))
        except (KafkaError, OSError) as exc:
            self._unreachable(exc)
            return self._acknowledged(futures, records) if futures else 0
        return self._acknowledged(futures, records)

    def _acknowledged(self, futures: list, records: list[tuple[bytes, bytes]]) -> int:
        deadline = time.monotonic() + self.ack_timeout
        for done, future in enumerate(futures):
            try:
                metadata = future.get(timeout=max(0.0, deadline - time.monotonic()))
            except (KafkaError, OSError) as exc:
                self.doubt.suspect(*(event_id_of(value) for _key, value in records[done:len(futures)]))
                self._unreachable(exc)
                return done
            self.doubt.acknowledged(metadata.partition, metadata.offset)
        return len(futures)

    def _drain(self) -> None:
        if self.doubt.pending and not self._settle():
            return
        while not self.spool.empty:
            records = self.spool.pending(limit=500)
            for value, end in records:
                if self.doubt.already_there(event_id_of(value)):
                    self.settled += 1
                elif not self._send(text_field(value, "tenant"), value):
                    return
                self.spool.commit(end)  # per record: a failure mid-batch resends nothing already sent
                self.published += 1
            logger.info("drained %d spooled event(s) to Kafka", len(records))

    def _settle(self) -> bool:
        """Find out which sends in doubt reached the broker, so the drain resends only the others.

        The tail is read only once the broker has answered for ``settle_after`` seconds: a request
        it took before it stalled is then written (or dropped), not still in its queue.
        """
        try:
            self._connect()
            self._answering_since = self._answering_since or time.monotonic()
            if time.monotonic() - self._answering_since < self.settle_after:
                return False
            found = landed(self.bootstrap, TOPICS.ai_calls.name, self.doubt.floors, set(self.doubt.suspects),
                           timeout=max(5.0, self.ack_timeout * 5))
        except (KafkaError, OSError, TimeoutError) as exc:
            return self._unreachable(exc)
        logger.info("settled %d send(s) in doubt: %d had reached Kafka", len(self.doubt.suspects), len(found))
        self.doubt.settle(found)
        return True

    def _unreachable(self, exc: BaseException) -> bool:
        self._answering_since = None
        logger.warning("Kafka unreachable (%s); events go to the spool", type(exc).__name__)
        self._reset()
        return False

    def _spool(self, value: bytes) -> None:
        self.spool.append(value)
        self.spooled += 1

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            if not self.doubt.pending:  # nothing of ours can still land: doubts start at the current ends
                self.doubt.restart(end_offsets(self.bootstrap, TOPICS.ai_calls.name, self.ack_timeout))
            self._producer = KafkaProducer(bootstrap_servers=self.bootstrap, client_id="douane-gateway",
                                           enable_idempotence=True, acks="all", linger_ms=2,
                                           max_block_ms=int(self.ack_timeout * 1000),
                                           bootstrap_timeout_ms=int(self.ack_timeout * 1000),
                                           request_timeout_ms=int(self.ack_timeout * 1000) + 1000,
                                           delivery_timeout_ms=int(self.delivery_timeout * 1000),
                                           reconnect_backoff_max_ms=1000)
        return self._producer

    def _reset(self) -> None:
        """Drop the producer. It is closed in the background: kafka-python flushes before closing, and
        the records it still holds (all in doubt or spooled by now) expire within ``delivery_timeout``."""
        if self._producer is not None:
            threading.Thread(target=_close_quietly, args=(self._producer, self.delivery_timeout + 1.0),
                             name="douane-outbox-close", daemon=True).start()
            self._producer = None


def _close_quietly(producer: KafkaProducer, timeout: float) -> None:
    try:
        producer.close(timeout=timeout)
    except Exception:  # noqa: BLE001 - a broken producer is dropped whatever it says
        logger.debug("a dropped producer did not close cleanly", exc_info=True)
