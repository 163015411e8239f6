"""Events leave the request path here: a write-ahead log on disk, and a sender thread behind it.

``emit`` appends the event to the spool (``spool.py``) through a group commit (``wal.py``) and
returns a future that completes once the event is fsynced; the gateway answers its caller only
then, so an answered call survives a crash. The sender thread reads the spool in order, publishes
up to 500 records at a time with an idempotent kafka-python producer, waits at most ``ack_timeout``
for the acknowledgements and moves the spool's cursor past what the broker acknowledged. When Kafka
is unreachable the records simply wait in the spool; the sender retries every ``retry_every``.
``connected`` (``/readyz``) follows the broker: while idle, the sender checks once per ``retry_every``
that a bootstrap server still accepts a connection (a stopped broker refuses at once); while
sending, a send not acknowledged within ``ack_timeout`` clears it (a frozen broker still accepts
connections).

Exactly once: a send whose acknowledgement was lost is *in doubt* (the broker may have written
it). Before sending again, the outbox reads the topic's tail after its last acknowledged offsets
and skips the doubtful records that are already there (``landed.py``, ``doubt.py``). At start,
whatever the spool still holds is in doubt: the process before may have sent it and died before
moving the cursor.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from kafka import KafkaProducer
from kafka.errors import KafkaError

from collector.doubt import Doubt
from collector.landed import end_offsets, event_id_of, landed, text_field
from collector.spool import Spool
from collector.wal import GroupCommit
from deploy.kafka.probe import accepts_connections
from douane.contract import TOPICS, AICallEvent, encode

logger = logging.getLogger(__name__)

BATCH = 500


class Outbox:
    """Makes events durable before their callers are answered, and publishes them to ``douane.ai-calls``."""

    def __init__(self, bootstrap: str, spool_dir: Path, ack_timeout: float = 2.0, retry_every: float = 1.0) -> None:
        self.bootstrap = bootstrap
        self.spool = Spool(spool_dir)
        self.ack_timeout = ack_timeout
        self.retry_every = retry_every
        self.published = 0
        self.settled = 0
        self.connected = False
        self.doubt = Doubt(spool_dir / "doubt.json")
        self._suspect_leftovers()
        self._answering_since: float | None = None
        self._probed_at = 0.0
        self._producer: KafkaProducer | None = None
        self._wake = threading.Event()
        self._stopping = False
        self.wal = GroupCommit(self.spool, on_commit=self._wake.set)
        self._thread = threading.Thread(target=self._run, name="douane-outbox", daemon=True)
        self._thread.start()

    def emit(self, event: AICallEvent) -> Future:
        """Append ``event`` to the spool; the future completes once it is fsynced."""
        return self.wal.submit(encode(event))

    def close(self, timeout: float = 10.0) -> None:
        """Commit what was handed over, send what the broker takes within ``timeout``, and stop."""
        self.wal.close(timeout)
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout)
        if self._producer is not None:
            self._producer.close(timeout=2)
            self._producer = None
        self.spool.close()

    @property
    def spooled(self) -> int:
        """Events on disk not yet acknowledged by the broker."""
        return len(self.spool)

    @property
    def delivery_timeout(self) -> float:
        """Seconds after which the producer gives a record up for good (then it is never sent later)."""
        return self.ack_timeout + 1.0 + 0.01  # kafka-python wants it >= request timeout + linger

    @property
    def settle_after(self) -> float:
        """Seconds the broker must have answered again before sends in doubt are looked for: by then a
        dropped producer has delivered or given up every record it held."""
        return self.delivery_timeout + self.ack_timeout

    def _suspect_leftovers(self) -> None:
        """Records left in the spool by an earlier process may have reached the broker before it died."""
        if not self.spool.empty:
            ids = [event_id_of(value) for value, _end in self.spool.pending(limit=10**9)]
            logger.info("%d event(s) left in %s; those already on Kafka are found before resending", len(ids),
                        self.spool.log_path)
            self.doubt.suspect(*ids)

    def _run(self) -> None:
        while True:
            self._wake.clear()
            stopping = self._stopping
            if not self.spool.empty and not self._drain() and not stopping:
                time.sleep(self.retry_every)  # the broker is away: try again later
                continue
            if stopping:
                return
            if self.spool.empty:
                self._check_broker()
                self._wake.wait(self.retry_every)

    def _check_broker(self) -> None:
        """While idle, keep ``connected`` true to the broker (for ``/readyz``). Connected: at most once per
        ``retry_every`` since the last proof (an acknowledgement or this check), does a bootstrap server still
        accept a connection? A stopped broker refuses at once. Cut off: is the broker back?"""
        if self.connected:
            if time.monotonic() - self._probed_at < self.retry_every:
                return
            self._probed_at = time.monotonic()
            if not accepts_connections(self.bootstrap, timeout=min(1.0, self.ack_timeout)):
                self._unreachable(ConnectionRefusedError("no bootstrap server accepts a connection"))
            return
        try:
            self._connect()
            self.connected = True
        except (KafkaError, OSError) as exc:
            self._unreachable(exc)

    def _drain(self) -> bool:
        """Send the spool in order; False when the broker did not take all of it."""
        if self.doubt.pending and not self._settle():
            return False
        while not self.spool.empty:
            records = self.spool.pending(limit=BATCH)
            if not records:
                return True
            fresh = [(value, end) for value, end in records if not self._already_there(value)]
            # keyed by event id: one shop's calls spread over every partition, so over every stream worker
            sent = self._send_many([(text_field(value, "event_id"), value) for value, _end in fresh])
            done = len(records) if sent == len(fresh) else records.index(fresh[sent])
            self.published += done  # acknowledged now, or found on the broker already
            if done:
                self.spool.commit(records[done - 1][1], done)
                self.doubt.save()
            if done < len(records):
                return False
        return True

    def _already_there(self, value: bytes) -> bool:
        if self.doubt.already_there(event_id_of(value)):
            self.settled += 1
            return True
        return False

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
        self.connected = True
        self._probed_at = time.monotonic()  # the acknowledgements just proved the broker reachable
        return len(futures)

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
                           timeout=max(5.0, self.ack_timeout * 5)) if self.doubt.floors else set()
        except (KafkaError, OSError, TimeoutError) as exc:
            return self._unreachable(exc)
        logger.info("settled %d send(s) in doubt: %d had reached Kafka", len(self.doubt.suspects), len(found))
        self.doubt.settle(found)
        return True

    def _unreachable(self, exc: BaseException) -> bool:
        self._answering_since = None
        if self.connected:
            logger.warning("Kafka unreachable (%s); events wait in the spool", type(exc).__name__)
        self.connected = False
        self._reset()
        return False

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
