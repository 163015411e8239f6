"""The dead-letter queue as an operator sees it: what was refused and why, and sending it back once fixed.

Dead letters keep the original key and value bytes; the reason, stage, origin and time ride
in headers (see :mod:`douane.contract.deadletter`). Reading uses no consumer group, so
listing changes nothing. Sending back re-publishes the unchanged bytes to the topic they
came from, with a header naming the dead letter; a record that still does not decode as
an event is kept back, since it would only come back to the DLQ.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kafka import KafkaProducer

from douane.contract import TOPICS, DecodeError
from douane.contract.deadletter import AT, REASON, SOURCE, STAGE, read_headers
from douane.contract.fast import read_event
from stream.replay.topic import TopicReader
from stream.replay.window import Window

REPLAYED_FROM = "douane.dlq.replayed-from"
"""Header on a record sent back from the DLQ: ``douane.dlq/<partition>@<offset>``."""

_RESENDABLE = {TOPICS.ai_calls.name}
_EPOCH, _END_OF_TIME = datetime(1970, 1, 2, tzinfo=timezone.utc), datetime(9999, 12, 31, tzinfo=timezone.utc)


@dataclass(frozen=True)
class DeadRecord:
    """One dead letter: where it sits on the DLQ, why it is there, and its bytes."""

    partition: int
    offset: int
    at: str
    reason: str
    stage: str
    source: str
    key: bytes | None
    value: bytes

    @property
    def origin_topic(self) -> str:
        """The topic the record was read from (``topic/partition@offset`` in the source header)."""
        return self.source.rsplit("/", 1)[0] if "/" in self.source else ""

    def summary(self) -> dict:
        """JSON-able description without the payload (it may hold anything a sender put in)."""
        return {"partition": self.partition, "offset": self.offset, "at": self.at, "stage": self.stage,
                "source": self.source, "reason": self.reason, "bytes": len(self.value)}


def read_dead_letters(bootstrap: str, since: datetime | None = None, stage: str | None = None,
                      reason: str | None = None) -> list[DeadRecord]:
    """Dead letters published since ``since`` (all kept ones by default), filtered by stage and reason text."""
    reader = TopicReader(bootstrap, TOPICS.dlq.name, margin=timedelta(0))  # here the publish time is what counts
    found = []
    for record in reader.records(Window(since or _EPOCH, _END_OF_TIME)):
        headers = read_headers(record.headers)
        letter = DeadRecord(record.partition, record.offset, headers.get(AT, ""), headers.get(REASON, "?"),
                            headers.get(STAGE, "?"), headers.get(SOURCE, "?"), record.key, record.value or b"")
        if (stage is None or letter.stage == stage) and (reason is None or reason.lower() in letter.reason.lower()):
            found.append(letter)
    return sorted(found, key=lambda d: (d.at, d.partition, d.offset))


@dataclass
class Resent:
    """What ``send_back`` did: sent, kept back (with why), per dead letter."""

    sent: list[DeadRecord]
    kept: list[tuple[DeadRecord, str]]


def send_back(bootstrap: str, letters: Iterable[DeadRecord], dry_run: bool = False, again: bool = False) -> Resent:
    """Re-publish each dead letter to its origin topic unchanged, unless it would only fail again or was
    sent back before (``again`` sends those too)."""
    result = Resent([], [])
    ready = []
    for letter in letters:
        problem = _why_not(letter)
        if problem:
            result.kept.append((letter, problem))
        else:
            ready.append(letter)
    earlier = {} if again or not ready else _sent_before(bootstrap, ready)
    result.kept.extend((letter, f"already sent back (now {earlier[_marker(letter)]}); --again sends it once more")
                       for letter in ready if _marker(letter) in earlier)
    ready = [letter for letter in ready if _marker(letter) not in earlier]
    if dry_run or not ready:
        result.sent.extend(ready)
        return result
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    try:
        for letter in ready:
            producer.send(letter.origin_topic, key=letter.key, value=letter.value,
                          headers=[(REPLAYED_FROM, _marker(letter))])
        producer.flush(timeout=60)
    finally:
        producer.close()
    result.sent.extend(ready)
    return result


def _marker(letter: DeadRecord) -> bytes:
    return f"{TOPICS.dlq.name}/{letter.partition}@{letter.offset}".encode()


def _sent_before(bootstrap: str, letters: list[DeadRecord]) -> dict[bytes, str]:
    """Markers of these letters found on their origin topics (published after the letters): where each sits."""
    wanted = {_marker(letter) for letter in letters}
    since = min((_parsed(letter.at) for letter in letters), default=_EPOCH)
    found: dict[bytes, str] = {}
    for topic in sorted({letter.origin_topic for letter in letters}):
        reader = TopicReader(bootstrap, topic, margin=timedelta(minutes=1))
        for record in reader.records(Window(since, _END_OF_TIME)):
            marker = dict(record.headers or ()).get(REPLAYED_FROM)
            if marker in wanted:
                found[marker] = f"{topic}/{record.partition}@{record.offset}"
    return found


def _parsed(at: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(at)
    except ValueError:
        return _EPOCH
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def _why_not(letter: DeadRecord) -> str | None:
    if letter.origin_topic not in _RESENDABLE:
        return f"came from {letter.origin_topic or 'an unknown topic'}; only {', '.join(sorted(_RESENDABLE))} is sent back"
    try:
        read_event(letter.value)
    except DecodeError as exc:
        return f"still not a valid event ({exc.reason[:120]})"
    return None
