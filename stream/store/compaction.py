"""The compactor: many small segments of one tenant and day become one, records unchanged.

A sink writes a segment per partition, tenant and day at every poll: small files that cost
readers an open each. ``compact`` merges the live segments of each (tenant, day) folder that
has more than ``min_files`` into one, and commits a signed ``compaction`` entry on the chain
``compactions`` that names the new segment with its records and the segments it replaces.
``verify`` checks that the new segment holds every record of the old ones, hash for hash. The new
segment's roll-ups (``stream.store.rollup``) are written beside it, their digests in the entry's body.
Replaced files stay on disk for ``grace`` (a reader that opened before may still read them)
and are removed by a later run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pyarrow as pa
import pyarrow.parquet as pq

from stream.store.canonical import digest
from stream.store.layout import CALLS
from stream.store.reader import Snapshot
from stream.store.rollup import with_rollups, write_rollups
from stream.store.writer import StoreWriter, write_segment

COMPACTIONS = "compactions"


@dataclass
class Compacted:
    """What a compaction run did: folders merged, files replaced, replaced files removed after their grace."""

    folders: int = 0
    replaced: int = 0
    removed: int = 0
    entries: list = field(default_factory=list)


def compact(writer: StoreWriter, *, min_files: int = 8, grace: timedelta = timedelta(minutes=10)) -> Compacted:
    """Merge each (tenant, day) folder with at least ``min_files`` live segments; remove files past their grace."""
    snap = writer.snapshot()
    done = Compacted(removed=_remove_expired(writer, snap, grace))
    by_folder: dict[str, list[str]] = {}
    for relative in snap.live_files(f"{CALLS}/"):
        by_folder.setdefault(relative.rsplit("/", 1)[0], []).append(relative)
    for folder, files in sorted(by_folder.items()):
        if len(files) >= min_files:
            done.entries.append(_merge(writer, folder, files))
            done.folders += 1
            done.replaced += len(files)
    return done


def _merge(writer: StoreWriter, folder: str, files: list[str]):
    table = pa.concat_tables([pq.read_table(writer.root / f) for f in files])
    relative = f"{folder}/compacted-{datetime.now(timezone.utc):%Y%m%dT%H%M%S%f}-{writer.writer_id}.parquet"
    write_segment(writer.root / relative, table)
    rows = table.to_pylist()
    body = {"reason": "compaction", "removed_files": files, "erased": [], "removed_records": 0,
            "rollups": write_rollups(writer.root, relative)}
    return writer.commit_entry(COMPACTIONS, "compaction", body, [[relative, len(rows)]],
                               [r["event_id"] for r in rows], [digest(r) for r in rows])


def _remove_expired(writer: StoreWriter, snap: Snapshot, grace: timedelta) -> int:
    """Delete the files earlier compactions replaced, once their grace is over."""
    now, expired = datetime.now(timezone.utc), []
    for entry in snap.entries.get(COMPACTIONS, []):
        if now - datetime.fromisoformat(entry.written_at.replace("Z", "+00:00")) < grace:
            continue
        expired += [r for r in entry.body["removed_files"] if (snap.root / r).exists()]
    writer.remove_files(with_rollups(expired))
    return len(expired)
