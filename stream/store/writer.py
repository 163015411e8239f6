"""A store writer: immutable Parquet segments, each made visible by a signed ledger entry.

Several writers (sinks of one consumer group, in several processes or machines) share a
store. Calls read from Kafka partition ``p`` go to chain ``calls.p<p>``; only the sink that
owns the partition writes it, and the exclusive commit of each entry fences a sink that lost
it in a rebalance. A redelivered record is skipped by offset (the chain records how far its
partition is stored) and by event id (the ids of the chain's recent records).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from rules.policy import Policy
from rules.registry import Registry
from stream.store import chain as ledger
from stream.store.batch import NO_ORIGIN, Segment, StoreBatch, encode_segments, segment_bytes
from stream.store.bucket import Bucket, EntryTaken, cache_folder, is_bucket, shared_identity, upload_entry
from stream.store.canonical import digest, timestamp
from stream.store.chain import GENESIS, ChainConflict, Entry
from stream.store.declared import incident_row, key_of, policy_rows, provider_rows, table_of
from stream.store.heads import Head, append_heads, publish_to_bucket
from stream.store.layout import call_segment, declared_segment, ensure_identity
from stream.store.rows import Audited

logger = logging.getLogger(__name__)

DEDUP_WINDOW = 200_000
"""Event ids per chain remembered to skip a record published twice at two offsets."""


@dataclass(frozen=True)
class BatchResult:
    """What one write did: the last entry's number (None when nothing was new), rows written, duplicates."""

    batch_id: int | None
    written: int
    duplicates: int
    entries: list[Entry] = field(default_factory=list)


@dataclass
class _Chain:
    """What a writer knows of a chain's end: its last entry, stored offset and recent event ids."""

    seq: int = 0
    hash: str = GENESIS
    last_offset: int = -1
    recent: set[str] = field(default_factory=set)
    order: deque = field(default_factory=deque)

    def remember(self, keys: list[str]) -> None:
        self.recent.update(keys)
        self.order.extend(keys)
        while len(self.order) > DEDUP_WINDOW:
            self.recent.discard(self.order.popleft())


class StoreWriter:
    """Writes audited calls and the declared side into a store folder; redeliveries are skipped."""

    def __init__(self, path: Path | str, *, key: Ed25519PrivateKey | None = None, heads: Path | None = None) -> None:
        from douane.settings import Settings
        from stream.store.signing import load_or_create

        settings = Settings()
        self.key = key or load_or_create(settings.ledger_key_path)
        self.heads_path = heads or settings.ledger_heads_path
        self.heads_url = settings.ledger_heads_url  # a write-once bucket for heads, when set
        self.bucket = Bucket(path) if is_bucket(path) else None  # s3://...: staged here, committed there
        self.path = self.root = cache_folder(path, "store-stage") if self.bucket else Path(path)
        if self.bucket:
            shared_identity(self.bucket, self.root, self.key)
        self.identity = ensure_identity(self.root, self.key)
        self.writer_id = uuid.uuid4().hex[:8]
        self.total = 0  # records this writer stored
        self.published: dict[str, Head] = {}  # per chain, the newest head not yet sent to Kafka
        self._chains: dict[str, _Chain] = {}
        self._head = GENESIS
        self._lock = threading.Lock()

    @property
    def head(self) -> str:
        """Hash of the newest entry this writer made."""
        return self._head

    @property
    def con(self):
        """A reader's connection over what is committed now (a snapshot; open a new one to see more)."""
        from stream.store.reader import open_store

        return open_store(self.root)

    def write(self, items: list[Audited]) -> BatchResult:
        """Write the calls not yet stored, each segment with its ledger entry."""
        return self.write_batch(StoreBatch.of(items))

    def write_batch(self, batch: StoreBatch) -> BatchResult:
        """Write a batch built beforehand (see :class:`StoreBatch`), one entry per partition it came from."""
        event_ids = batch.calls.column("event_id").to_pylist()
        entries, written = [], 0
        with self._lock:
            for partition, rows in sorted(batch.by_partition().items()):
                entry = self._append_calls(partition, rows, batch, event_ids)
                if entry is not None:
                    entries.append(entry)
                    written += entry.count
            self._publish(entries)
        return BatchResult(entries[-1].seq if entries else None, written, batch.received - written, entries)

    def record_policies(self, tenants: list[tuple[str, Policy]]) -> None:
        """Keep each tenant's policy and its processing activities (the declared side of Art. 30)."""
        policies, activities = policy_rows(tenants)
        with self._lock:
            self._publish([e for e in (self._append_declared("policies", policies),
                                       self._append_declared("processing_activities", activities)) if e])

    def record_registry(self, registry: Registry) -> None:
        """Keep the registry's providers, so reports can name recipients as they were known."""
        with self._lock:
            self._publish([e for e in [self._append_declared("providers", provider_rows(registry))] if e])

    def record_incident(self, state: dict, partition: int | None = None) -> None:
        """Keep one snapshot of an incident (every version is kept; readers see the newest)."""
        chain = f"incidents.p{partition}" if partition is not None else "incidents.direct"
        with self._lock:
            self._publish([e for e in [self._append_declared("incidents", [incident_row(state)], chain,
                                                             dedupe=False)] if e])

    def record_rows(self, table: str, rows: list[dict]) -> Entry | None:
        """Keep rows of a declared table as they are (the migration's path); rows already held are skipped."""
        with self._lock:
            entry = self._append_declared(table, rows)
            self._publish([entry] if entry else [])
        return entry

    def commit_entry(self, chain: str, kind: str, body: dict, files: list[list], keys: list[str],
                     hashes: list[str]) -> Entry:
        """Commit a signed entry of ``kind`` (a tombstone, a compaction) and publish its head; retried on a race."""
        with self._lock:
            while True:
                entry = self._commit(chain, self._state(chain), files, keys, hashes, (None, None), kind, body,
                                     keep_files=True)
                if entry is not None:
                    self._publish([entry])
                    return entry

    def snapshot(self):
        """The store as committed now; a bucket store is pulled into the staging folder first."""
        from stream.store.reader import snapshot

        if self.bucket:
            self.bucket.pull(self.root)
        return snapshot(self.root)

    def remove_files(self, relatives: list[str]) -> None:
        """Remove segment files a committed tombstone or compaction took out (from the bucket too)."""
        for relative in relatives:
            (self.root / relative).unlink(missing_ok=True)
        if self.bucket:
            self.bucket.delete(relatives)

    def close(self) -> None:
        """Nothing stays open between writes; kept for callers that close what they open."""

    def _publish(self, entries: list[Entry]) -> None:
        heads = [Head.of(e) for e in entries]
        append_heads(self.heads_path, heads)
        if self.heads_url:
            publish_to_bucket(self.heads_url, heads)
        self.published.update((h.chain, h) for h in heads)
        if entries:
            self._head = entries[-1].hash

    def _append_calls(self, partition: int, rows: list[int], batch: StoreBatch, event_ids: list[str]) -> Entry | None:
        """The new calls of one partition as segments and one entry (None when all were stored already)."""
        name = f"calls.p{partition}" if partition != NO_ORIGIN else "calls.direct"
        while True:
            state = self._state(name)
            fresh = [i for i in rows if event_ids[i] not in state.recent
                     and (partition == NO_ORIGIN or batch.offsets[i] > state.last_offset)]
            if not fresh:
                return None
            if partition == NO_ORIGIN:  # no offsets: the segment is named by its entry's number
                first = last = state.seq + 1
            else:
                first, last = batch.ranges.get(partition) or (batch.offsets[fresh[0]], batch.offsets[fresh[-1]])
            segments = batch.ready_segments(partition, fresh) or encode_segments(batch.calls, fresh)
            files, keys, hashes = self._write_call_segments(name, batch, segments, event_ids, first, last)
            offsets = (first, last) if partition != NO_ORIGIN else (None, None)
            entry = self._commit(name, state, files, keys, hashes, offsets)
            if entry is not None:
                state.last_offset = max(state.last_offset, last if partition != NO_ORIGIN else -1)
                return entry

    def _write_call_segments(self, name: str, batch: StoreBatch, segments: list[Segment], event_ids: list[str],
                             first: int, last: int) -> tuple[list[list], list[str], list[str]]:
        """The segment files (one per tenant and day); the keys and hashes in the order the files hold them."""
        files, keys, hashes = [], [], []
        for segment in segments:
            relative = call_segment(name, segment.tenant, segment.day, first, last, self.writer_id)
            write_file(self.root / relative, segment.data)
            files.append([relative, len(segment.rows)])
            keys += [event_ids[i] for i in segment.rows]
            hashes += [batch.hashes[i] for i in segment.rows]
        return files, keys, hashes

    def _append_declared(self, table: str, rows: list[dict], name: str = "declared",
                         dedupe: bool = True) -> Entry | None:
        """Rows of a declared table as one segment and entry; rows the chain already holds are skipped."""
        if not rows:
            return None
        arrow = table_of(table, rows)
        stored = arrow.to_pylist()  # hashed as read back, the way verify reads it
        keys = [f"{table}/{key_of(table, r)}" for r in stored]
        hashes = [digest(r) for r in stored]
        while True:
            state = self._state(name)
            fresh = [i for i, k in enumerate(keys) if not (dedupe and k in state.recent)]
            if not fresh:
                return None
            relative = declared_segment(table, name, state.seq + 1, self.writer_id)
            write_segment(self.root / relative, arrow.take(pa.array(fresh, type=pa.int64())))
            entry = self._commit(name, state, [[relative, len(fresh)]], [keys[i] for i in fresh],
                                 [hashes[i] for i in fresh], (None, None))
            if entry is not None:
                return entry

    def _commit(self, name: str, state: _Chain, files: list[list], keys: list[str], hashes: list[str],
                offsets: tuple[int | None, int | None], kind: str = "records", body: dict | None = None,
                keep_files: bool = False) -> Entry | None:
        """Commit an entry; on a conflict forget the chain's state, remove the files (unless kept), return None."""
        records = ledger.records_text(keys, hashes)
        seq = state.seq + 1
        entry = Entry(self.identity.id, name, seq, state.hash, kind, files, len(keys), digest(records),
                      f"{seq:012d}-{self.writer_id}.records", *offsets, timestamp(datetime.now(timezone.utc)),
                      self.writer_id, body or {}).sealed(self.key)
        try:
            ledger.commit(self.root, entry, records)
            if self.bucket:
                self._commit_to_bucket(entry)
        except ChainConflict as exc:
            logger.warning("%s; reading the chain again", exc)
            for relative, _ in [] if keep_files else files:
                (self.root / relative).unlink(missing_ok=True)
            self._chains.pop(name, None)
            return None
        state.seq, state.hash = entry.seq, entry.hash
        state.remember(keys)
        self.total += entry.count if name.startswith("calls") and kind == "records" else 0
        return entry

    def _commit_to_bucket(self, entry: Entry) -> None:
        """Upload the entry's objects, the entry last and exclusively; a lost race undoes the local commit."""
        try:
            upload_entry(self.bucket, self.root, entry)
        except EntryTaken:
            folder = ledger.chain_dir(self.root, entry.chain)
            ledger.entry_path(self.root, entry.chain, entry.seq).unlink(missing_ok=True)
            (folder / entry.records_file).unlink(missing_ok=True)
            self.bucket.delete([f for f, _ in entry.files] + [f"{ledger.LEDGER}/{entry.chain}/{entry.records_file}"])
            raise ChainConflict(f"{entry.chain} #{entry.seq} was written by another sink (in the bucket)") from None

    def _state(self, name: str) -> _Chain:
        """The chain's end as stored (read once, then kept up to date by this writer)."""
        if name not in self._chains:
            if self.bucket:  # other writers' entries of this chain, as the bucket holds them
                self.bucket.pull(self.root, f"{ledger.LEDGER}/{name}/", prune=False)
            self._chains[name] = _load_chain(self.root, name)
        return self._chains[name]


def _load_chain(root: Path, name: str) -> _Chain:
    """The chain's end: its newest entry, the furthest offset stored, the event ids of its recent records."""
    state, keys = _Chain(), []
    for age, path in enumerate(reversed(ledger.entry_files(root, name))):  # newest first, each read once
        entry = ledger.read_entry(path)
        if age == 0:
            state.seq, state.hash = entry.seq, entry.hash
        if entry.last_offset is not None:
            state.last_offset = max(state.last_offset, entry.last_offset)
        if len(keys) < DEDUP_WINDOW:
            records = (ledger.chain_dir(root, name) / entry.records_file).read_text()
            keys[:0] = [k for k, _ in ledger.parse_records(records)]
    state.remember(keys[-DEDUP_WINDOW:])
    return state


def write_segment(path: Path, table: pa.Table) -> None:
    """A segment, written whole under a temporary name and renamed into place."""
    write_file(path, segment_bytes(table))


def write_file(path: Path, data: bytes) -> None:
    """A segment's bytes, written whole under a temporary name and renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    temp.replace(path)
