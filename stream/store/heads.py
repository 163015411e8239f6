"""Published heads: each chain's newest signed entry, kept outside the store.

Places outside what the store's operator writes: an append-only head file
(``DOUANE_LEDGER_HEADS``, one JSON line per head), the compacted Kafka topic
``douane.ledger`` (key ``<store id>/<chain>``) and, when set, a bucket
(``DOUANE_LEDGER_HEADS_URL``, one object per head, never overwritten). A head is (store, chain, seq, hash, signature).
``verify`` requires the store to reach every head published for it with the same hash: a
truncated, re-chained or emptied store cannot.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from stream.store.chain import Entry

LEDGER_TOPIC = "douane.ledger"


@dataclass(frozen=True)
class Head:
    """The newest entry of one chain as published."""

    store: str
    chain: str
    seq: int
    hash: str
    sig: str

    @classmethod
    def of(cls, entry: Entry) -> "Head":
        """The head an entry makes."""
        return cls(entry.store, entry.chain, entry.seq, entry.hash, entry.sig)

    @property
    def key(self) -> str:
        """Its key on the compacted topic."""
        return f"{self.store}/{self.chain}"

    def to_json(self) -> bytes:
        """One line of the head file, one record value on the topic."""
        return json.dumps(asdict(self), sort_keys=True).encode()


def ensure_ledger_topic(bootstrap: str) -> None:
    """Create ``douane.ledger`` (compacted, kept forever, one partition) unless it exists."""
    from deploy.kafka.topics import ensure_topics
    from douane.contract.topics import TopicSpec

    ensure_topics(bootstrap, 1, (TopicSpec(LEDGER_TOPIC, -1, "signed ledger heads, per store and chain", "compact"),))


def append_heads(path: Path, heads: list[Head]) -> None:
    """Append heads to the head file (one write, O_APPEND: lines from several sinks never interleave)."""
    if not heads:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    data = b"".join(h.to_json() + b"\n" for h in heads)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_heads(lines: list[bytes], store: str) -> tuple[dict[str, Head], list[str]]:
    """The highest head per chain of ``store``, and the lines that are not heads (named by number)."""
    newest: dict[str, Head] = {}
    bad = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            head = Head(**json.loads(line))
        except (ValueError, TypeError):
            bad.append(f"line {number} is not a head")
            continue
        if head.store == store and (head.chain not in newest or head.seq > newest[head.chain].seq):
            newest[head.chain] = head
    return newest, bad


def publish_to_bucket(url: str, heads: list[Head]) -> None:
    """Put each head as its own object, ``<prefix>/<store>/<chain>/<seq>.json``, never overwritten.

    Meant for a bucket the store's operator cannot rewrite (another account, S3 Object Lock).
    """
    from stream.store.bucket import Bucket, EntryTaken

    bucket = Bucket(url) if heads else None
    for head in heads:
        try:
            bucket.put(f"{head.store}/{head.chain}/{head.seq:012d}.json", head.to_json(), exclusive=True)
        except EntryTaken:
            pass  # the same head published again (a retried write): the first copy stands


def bucket_head_lines(url: str) -> list[bytes]:
    """The newest head of each chain published to the bucket at ``url`` (one GET per chain)."""
    from stream.store.bucket import Bucket

    bucket = Bucket(url)
    newest: dict[str, str] = {}
    for relative in bucket.listing():
        chain, _, name = relative.rpartition("/")
        if name.endswith(".json") and name > newest.get(chain, ""):
            newest[chain] = name
    return [bucket.get(f"{chain}/{name}") for chain, name in sorted(newest.items())]


def head_file_lines(path: Path) -> list[bytes]:
    """The head file's lines (none when it does not exist)."""
    return path.read_bytes().splitlines() if path.exists() else []


def kafka_head_lines(bootstrap: str, timeout: float = 10.0) -> list[bytes]:
    """Every head on ``douane.ledger``, read from the beginning to the end offsets."""
    from kafka import KafkaConsumer, TopicPartition

    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=1000)
    try:
        partitions = [TopicPartition(LEDGER_TOPIC, p) for p in consumer.partitions_for_topic(LEDGER_TOPIC) or ()]
        if not partitions:
            return []
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        ends = consumer.end_offsets(partitions)
        lines = []
        while any(consumer.position(tp) < ends[tp] for tp in partitions):
            for records in consumer.poll(timeout_ms=int(timeout * 1000)).values():
                lines += [r.value for r in records if r.value]
        return lines
    finally:
        consumer.close()
