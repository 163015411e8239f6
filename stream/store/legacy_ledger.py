"""The single-file store's ledger (before the folder layout): verified before a store is migrated.

Each entry lists the event ids and record hashes of its batch and is chained to the entry
before it. ``verify`` recomputes everything from the rows as they are now and names what
changed: an altered or deleted record, a record that entered outside the sink, a broken
or edited ledger entry.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb

from stream.store.rows import findings_canon_sql, record_hash_sql

GENESIS = "0" * 64


def batch_digest(records: str) -> str:
    """Digest of a batch: the SHA-256 of its records."""
    return hashlib.sha256(records.encode()).hexdigest()


def chain_hash(prev_hash: str, batch_id: int, row_count: int, digest: str) -> str:
    """The hash of a ledger entry, binding it to the one before."""
    return hashlib.sha256(f"{prev_hash}|{batch_id}|{row_count}|{digest}".encode()).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One thing ``verify`` found wrong, and the record or entry it concerns."""

    batch_id: int | None
    event_id: str | None
    what: str

    def __str__(self) -> str:
        where = f"batch {self.batch_id}" if self.batch_id is not None else "store"
        return f"{where}: record {self.event_id}: {self.what}" if self.event_id else f"{where}: {self.what}"


@dataclass(frozen=True)
class Report:
    """The outcome of a verification."""

    batches: int
    records: int
    problems: list[Problem]
    head: str

    @property
    def intact(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems


def verify(con: duckdb.DuckDBPyConnection) -> Report:
    """Recompute the chain and every record hash; report what does not match."""
    problems: list[Problem] = []
    stored = _stored_hashes(con)
    listed: set[str] = set()
    prev, batches, records = GENESIS, 0, 0
    for batch_id, count, lines, digest, prev_hash, entry_hash in con.execute(
            "SELECT batch_id, row_count, records, digest, prev_hash, hash FROM ledger ORDER BY batch_id").fetchall():
        batches += 1
        entries = [line.partition(":")[::2] for line in lines.splitlines()]
        problems.extend(_check_entry(batch_id, count, lines, len(entries), digest, prev_hash, entry_hash, prev))
        prev = entry_hash
        for event_id, row_hash in entries:
            records += 1
            listed.add(event_id)
            problems.extend(_check_record(batch_id, event_id, row_hash, stored))
    problems.extend(Problem(None, eid, "is in the store but in no ledger entry (written outside the sink)")
                    for eid in sorted(set(stored) - listed))
    return Report(batches, records, problems, prev)


def _check_entry(batch_id, count, records, listed, digest, prev_hash, entry_hash, expected_prev) -> list[Problem]:
    found = []
    if prev_hash != expected_prev:
        found.append(Problem(batch_id, None, "ledger chain broken: the entry before it was changed or deleted"))
    if listed != count or batch_digest(records) != digest:
        found.append(Problem(batch_id, None, "ledger entry altered: its record list does not match its digest"))
    if chain_hash(prev_hash, batch_id, count, digest) != entry_hash:
        found.append(Problem(batch_id, None, "ledger entry altered: its hash does not match its contents"))
    return found


def _check_record(batch_id: int, event_id: str, row_hash: str, stored: dict[str, str]) -> list[Problem]:
    current = stored.get(event_id)
    if current is None:
        return [Problem(batch_id, event_id, "deleted")]
    if current != row_hash:
        return [Problem(batch_id, event_id, "changed since it was written")]
    return []


def _stored_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Record hash recomputed by DuckDB from the current rows, per event id (the writer's own expression)."""
    query = (f"WITH f AS ({findings_canon_sql('findings')}) "
             f"SELECT c.event_id::VARCHAR, {record_hash_sql('c', 'f')} "
             "FROM calls c LEFT JOIN f ON f.event_id = c.event_id::VARCHAR")
    return dict(con.execute(query).fetchall())
