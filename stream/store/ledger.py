"""``verify``: check a store against its signed ledger and the heads published outside it.

What is checked, and named when wrong:
- the store's identity is signed by the ledger key;
- in each chain, entries run 1..n without a gap, each names its own place, links to the one
  before, hashes to its contents and carries a valid Ed25519 signature;
- each entry's records list matches its digest; each live segment holds exactly the records
  its entry lists, with the same canonical hashes (changed, deleted, added records are named);
- no segment exists that no entry names (written outside the sink);
- every head published for this store (head file, and Kafka when asked) is reached by its chain
  with the same hash: truncation, a re-chained rewrite and an emptied store all fail here;
- deletions are lawful only under a signed tombstone (retention or erasure), reported as such.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from stream.store import chain as ledger
from stream.store.bucket import is_bucket, pulled
from stream.store.canonical import digest
from stream.store.chain import GENESIS, Entry
from stream.store.heads import Head, read_heads
from stream.store.layout import data_files
from stream.store.reader import REMOVING, Snapshot, snapshot
from stream.store.rowhash import table_rows
from stream.store.signing import signed_by

PENDING_GRACE = 120.0
"""Seconds a segment may exist before its entry: longer than any write; an older unnamed file is a problem."""


@dataclass(frozen=True)
class Problem:
    """One thing ``verify`` found wrong: where (a chain entry, a file, a record) and what."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


@dataclass
class Report:
    """The outcome of a verification: counts, problems, and the lawful deletions found."""

    chains: int = 0
    batches: int = 0
    records: int = 0  # calls
    declared: int = 0  # policies, activities, providers, incident snapshots
    heads_checked: int = 0
    problems: list[Problem] = field(default_factory=list)
    lawful: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # young files no entry names yet: writes in progress
    head: str = GENESIS

    @property
    def intact(self) -> bool:
        """True when nothing was found wrong."""
        return not self.problems

    def add(self, where: str, what: str) -> None:
        self.problems.append(Problem(where, what))


def verify(store: Path | str | duckdb.DuckDBPyConnection, public_key: Ed25519PublicKey | None = None,
           head_lines: list[bytes] | None = None) -> Report:
    """Verify the store (a folder, or a connection from ``open_store``) with the key and published heads.

    Without ``public_key`` the key of ``DOUANE_LEDGER_KEY`` is used; without ``head_lines`` the
    head file of ``DOUANE_LEDGER_HEADS``.
    """
    from douane.settings import Settings
    from stream.store.heads import head_file_lines
    from stream.store.signing import load_public

    root = _root_of(store)
    settings = Settings()
    key = public_key or load_public(settings.ledger_key_path)
    lines = head_file_lines(settings.ledger_heads_path) if head_lines is None else head_lines
    report = Report()
    snap = snapshot(root)
    _check_identity(snap, key, report)
    expected = _check_chains(snap, key, report)
    _check_segments(snap, expected, report)
    _check_heads(snap, lines, key, report)
    return report


def _root_of(store) -> Path:
    if isinstance(store, duckdb.DuckDBPyConnection):
        return Path(store.execute("SELECT root FROM store_info").fetchall()[0][0])
    return pulled(store) if is_bucket(store) else Path(store)


def _check_identity(snap: Snapshot, key: Ed25519PublicKey, report: Report) -> None:
    if not signed_by(key, digest(snap.identity.content()), snap.identity.sig):
        report.add("store.json", "the store's identity is not signed by the ledger key (replaced or forged)")


def _check_chains(snap: Snapshot, key: Ed25519PublicKey, report: Report) -> dict[str, list[tuple[str, str, str]]]:
    """Check every entry; return, per segment file, the (key, hash, entry) records the ledger expects in it."""
    expected: dict[str, list[tuple[str, str, str]]] = {}
    for name, entries in snap.entries.items():
        report.chains += 1
        prev, files = GENESIS, ledger.entry_files(snap.root, name)
        for number, (entry, path) in enumerate(zip(entries, files), 1):
            where = f"ledger {name} #{entry.seq}"
            report.batches += 1
            _check_entry(entry, path, number, prev, key, snap.identity.id, where, report)
            prev = entry.hash
            records = _records(snap.root, entry, where, report)
            if entry.kind == "records":
                if name.startswith("calls."):
                    report.records += len(records)
                else:
                    report.declared += len(records)
            _assign(entry, records, where, expected, report)
            if entry.kind == "tombstone":
                report.lawful.append(_tombstone_summary(entry))
        report.head = prev
    return expected


def _check_entry(entry: Entry, path: Path, number: int, prev: str, key, store_id: str, where: str,
                 report: Report) -> None:
    if entry.seq != number:
        moved = f"the file {path.name} holds entry #{entry.seq}" if path.stem.lstrip("0") != str(number) else ""
        report.add(where, moved or f"entry #{number} is missing: the chain jumps to #{entry.seq} (an entry deleted)")
    if path.stem.lstrip("0") != str(entry.seq):
        report.add(where, f"moved: stored as {path.name}, but the entry says #{entry.seq}")
    if entry.prev != prev:
        report.add(where, "chain broken: it does not link to the entry before it (an entry changed or deleted)")
    if digest(entry.content()) != entry.hash:
        report.add(where, "entry altered: its hash does not match its contents")
    if not signed_by(key, entry.hash, entry.sig):
        report.add(where, "signature does not verify: the entry was rewritten or forged without the ledger key")
    if entry.store != store_id:
        report.add(where, f"belongs to another store ({entry.store})")


def _records(root: Path, entry: Entry, where: str, report: Report) -> list[tuple[str, str]]:
    path = ledger.chain_dir(root, entry.chain) / entry.records_file
    if not path.exists():
        report.add(where, f"its records list {entry.records_file} is missing")
        return []
    text = path.read_text()
    if digest_of(text) != entry.digest:
        report.add(where, "its records list does not match the entry's digest (altered)")
    return ledger.parse_records(text)


def digest_of(records: str) -> str:
    """The digest an entry keeps of its records text."""
    return digest(records)


def _assign(entry, records, where, expected, report) -> None:
    """Split an entry's records over its files by their row counts."""
    at = 0
    for relative, rows in entry.files:
        expected.setdefault(relative, []).extend((k, h, where) for k, h in records[at:at + rows])
        at += rows
    if at != len(records):
        report.add(where, f"lists {len(records)} records but its files hold {at}")


def _check_segments(snap: Snapshot, expected: dict, report: Report) -> None:
    removed = snap.removed
    present = set(data_files(snap.root))
    for relative, records in expected.items():
        if relative in removed:
            continue
        if relative not in present:
            for k, _, where in records:
                report.add(where, f"record {k}: deleted (its segment {relative} is gone)")
            continue
        _check_file(snap.root, relative, records, report)
    now = time.time()
    for relative in sorted(present - set(expected) - removed):
        if now - (snap.root / relative).stat().st_mtime < PENDING_GRACE:
            report.pending.append(relative)  # a sink's write in progress: its entry comes next
        else:
            report.add(f"file {relative}", "in no ledger entry (written outside the sink, or a write cut short); "
                                           "readers ignore it")
    _check_rewrites(snap, expected, report)


def _check_rewrites(snap: Snapshot, expected: dict, report: Report) -> None:
    """An erasure's or compaction's new segments keep every record of the old ones but the erased."""
    rewrites = (e for es in snap.entries.values() for e in es if e.kind in REMOVING and "erased" in e.body)
    for entry in rewrites:
        kept = {k for relative, _ in entry.files for k, _, _ in expected.get(relative, ())}
        erased = set(entry.body["erased"])
        for relative in entry.body.get("removed_files", ()):
            for k, _, where in expected.get(relative, ()):
                if k not in erased and k not in kept and where != f"ledger {entry.chain} #{entry.seq}":
                    report.add(where, f"record {k}: deleted: the {entry.kind} that replaced its segment "
                                      f"(ledger {entry.chain} #{entry.seq}) neither keeps nor erases it")


def _check_file(root: Path, relative: str, records: list, report: Report) -> None:
    table = pq.read_table(root / relative)
    table = table.drop_columns([c for c in ("filename", "file_row_number") if c in table.column_names])
    found = dict(zip(_row_keys(relative, table), _hashes(table)))
    listed = set()
    for k, h, where in records:
        listed.add(k)
        now = found.get(k)
        if now is None:
            report.add(where, f"record {k}: deleted")
        elif now != h:
            report.add(where, f"record {k}: changed since it was written")
    for k in sorted(set(found) - listed):
        report.add(f"file {relative}", f"record {k}: in no ledger entry (written outside the sink)")


def _hashes(table) -> list[str]:
    """Each row's record hash, its canonical form built column by column (``rowhash.py``), as the writer's."""
    sha = hashlib.sha256
    return [sha(row).hexdigest() for row in table_rows(table)]


def _row_keys(relative: str, table) -> list[str]:
    from stream.store.declared import key_of

    if relative.startswith("calls/"):
        return table.column("event_id").to_pylist()
    name = relative.split("/")[1]
    return [f"{name}/{key_of(name, row)}" for row in table.to_pylist()]


def _check_heads(snap: Snapshot, lines: list[bytes], key, report: Report) -> None:
    heads, bad = read_heads(lines, snap.identity.id)
    for line in bad:
        report.add("published heads", line)
    for name, head in sorted(heads.items()):
        report.heads_checked += 1
        _check_head(snap, name, head, key, report)


def _check_head(snap: Snapshot, name: str, head: Head, key, report: Report) -> None:
    where = f"ledger {name}"
    if not signed_by(key, head.hash, head.sig):
        report.add(where, f"published head #{head.seq} is not signed by the ledger key (ignored)")
        return
    entries = snap.entries.get(name, [])
    if not entries:
        report.add(where, f"missing: head #{head.seq} was published, the store holds no such chain (emptied)")
        return
    if entries[-1].seq < head.seq:
        report.add(where, f"truncated: head #{head.seq} was published, the store ends at #{entries[-1].seq}")
        return
    at = next((e for e in entries if e.seq == head.seq), None)
    if at is None or at.hash != head.hash:
        report.add(where, f"rewritten: entry #{head.seq} differs from its published head")


def _tombstone_summary(entry: Entry) -> str:
    body = entry.body
    return (f"ledger {entry.chain} #{entry.seq}: {body.get('reason')} removed {body.get('removed_records', 0)} "
            f"record(s) by {body.get('by')} under {body.get('basis')} at {entry.written_at}")
