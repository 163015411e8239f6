"""Lawful deletion: retention (whole day partitions of a tenant) and Art. 17 erasure (given records or subjects).

Each deletion is one signed ``tombstone`` entry on the chain ``tombstones``: what was removed
(the segment files, the number of records and, for an erasure, their event ids), why (retention
or erasure, the basis given), by whom, and when. An erasure rewrites each segment that held an
erased record without it; the tombstone names the new segment and lists its records, and
``verify`` checks that it holds exactly the old records less the erased ones. Anything removed
without a tombstone is tampering.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow.compute as pc
import pyarrow.parquet as pq

from stream.store.canonical import digest
from stream.store.chain import Entry
from stream.store.layout import CALLS, tenant_days
from stream.store.rollup import with_rollups
from stream.store.writer import StoreWriter, write_segment

TOMBSTONES = "tombstones"


@dataclass
class Deletion:
    """What a prune or an erasure removes (or would, with ``dry_run``): files, records, replaced segments."""

    files: list[str] = field(default_factory=list)
    records: int = 0
    erased: list[str] = field(default_factory=list)
    entry: Entry | None = None


def prune(writer: StoreWriter, tenant: str, before: date, *, basis: str, by: str, dry_run: bool = False) -> Deletion:
    """Remove ``tenant``'s day partitions older than ``before`` (retention), under one tombstone."""
    snap = writer.snapshot()
    prefix = tenant_days(tenant)
    files = [f for f in snap.live_files(prefix) if date.fromisoformat(f[len(prefix):].split("/")[0]) < before]
    why = {"reason": "retention", "basis": basis, "by": by, "tenant": tenant, "before": before.isoformat()}
    return remove_whole(writer, files, why, dry_run=dry_run)


def remove_whole(writer: StoreWriter, files: list[str], why: dict, *, dry_run: bool = False) -> Deletion:
    """Remove whole segments (every record in them) under one tombstone naming them and ``why``."""
    counts = {f: n for es in writer.snapshot().entries.values() for e in es for f, n in e.files}
    deletion = Deletion(files, sum(counts[f] for f in files))
    if dry_run or not files:
        return deletion
    body = {**why, "removed_files": files, "removed_records": deletion.records}
    deletion.entry = _tombstone(writer, body, [], [], [])
    writer.remove_files(with_rollups(files))
    return deletion


def erase(writer: StoreWriter, event_ids: list[str], *, basis: str, by: str, dry_run: bool = False) -> Deletion:
    """Remove the records of ``event_ids`` (Art. 17): their segments are rewritten without them."""
    return rewrite_without(writer, set(event_ids), {"reason": "erasure (GDPR Art. 17)", "basis": basis, "by": by},
                           dry_run=dry_run)


def erase_subjects(writer: StoreWriter, subject_refs: list[str], *, basis: str, by: str,
                   dry_run: bool = False) -> Deletion:
    """Remove every call carrying one of ``subject_refs`` (Art. 17 by data subject), as :func:`erase` does.

    The tombstone lists the erased calls' ids and how many references were asked for, not the references.
    """
    from stream.store.reader import connect

    con = connect(writer.snapshot())
    try:
        rows = con.execute("SELECT event_id::VARCHAR FROM calls WHERE list_contains($refs, subject_ref)",
                           {"refs": sorted(set(subject_refs))}).fetchall()
    finally:
        con.close()
    why = {"reason": "erasure (GDPR Art. 17)", "basis": basis, "by": by, "subjects": len(set(subject_refs))}
    return rewrite_without(writer, {r[0] for r in rows}, why, dry_run=dry_run)


def rewrite_without(writer: StoreWriter, wanted: set[str], why: dict, *, dry_run: bool = False,
                    files: list[str] | None = None) -> Deletion:
    """Rewrite each live segment (of ``files``, default all) holding a record of ``wanted`` without it.

    One tombstone (``why`` and what was removed) names the replaced segments, the erased event ids and
    the new segments with their records, so ``verify`` checks every other record was kept unchanged.
    """
    snap = writer.snapshot()
    deletion = Deletion()
    rewrites = []
    for relative in snap.live_files(f"{CALLS}/") if files is None else files:
        table = pq.read_table(writer.root / relative)
        hit = pc.is_in(table.column("event_id"), value_set=_strings(wanted))
        if not pc.any(hit).as_py():
            continue
        kept = table.filter(pc.invert(hit))
        deletion.files.append(relative)
        deletion.erased += [e for e in table.filter(hit).column("event_id").to_pylist()]
        rewrites.append((relative, kept))
    deletion.records = len(deletion.erased)
    if dry_run or not rewrites:
        return deletion
    added, keys, hashes = [], [], []
    for relative, kept in rewrites:
        if kept.num_rows:
            new = relative.replace(".parquet", f"-erased-{writer.writer_id}.parquet")
            write_segment(writer.root / new, kept)
            added.append([new, kept.num_rows])
            rows = kept.to_pylist()
            keys += [r["event_id"] for r in rows]
            hashes += [digest(r) for r in rows]
    body = {**why, "removed_files": deletion.files, "erased": sorted(deletion.erased),
            "removed_records": deletion.records}
    deletion.entry = _tombstone(writer, body, added, keys, hashes)
    writer.remove_files(with_rollups(deletion.files))
    return deletion


def _tombstone(writer: StoreWriter, body: dict, files: list, keys: list[str], hashes: list[str]) -> Entry:
    """Commit a signed tombstone entry and publish its head."""
    return writer.commit_entry(TOMBSTONES, "tombstone", body, files, keys, hashes)


def _strings(values: set[str]):
    import pyarrow as pa

    return pa.array(sorted(values), pa.string())
