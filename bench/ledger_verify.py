"""Benchmark: ``douane ledger verify`` time per million records, and one sink's write cost per call.

Beside the whole verification, the anchor: every record's canonical form recomputed the way verify
did before (``canonical()`` of each row read back as Python objects) and the way it does now
(column by column, ``stream/store/rowhash.py``), over the same segment files.

A store is written the way a sink writes it (audited calls, batches of 5,000, segments per tenant
and day, a signed entry each), then verified whole. Prints CPU time (the development machine is
shared: wall time there says more about the neighbours than about the code).
Prints its figures; asserts nothing.
    .venv/bin/python bench/ledger_verify.py [--calls 200000]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collector import TrafficGenerator
from stream import PolicySet
from stream.store import StoreBatch, StoreWriter, verify
from stream.store.heads import head_file_lines

ROOT = Path(__file__).parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    args = parser.parse_args()
    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    seed = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=3).events(20_000)
    audited = [policies.audit(e) for e in seed]
    key = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        writer = StoreWriter(Path(tmp) / "store", key=key, heads=Path(tmp) / "heads.jsonl")
        built = wrote = 0.0
        for n in range(0, args.calls, 5_000):
            items = [_fresh(audited[(n + i) % len(audited)]) for i in range(min(5_000, args.calls - n))]
            started = time.process_time()  # CPU time: the machine may be shared, wall time would mislead
            batch = StoreBatch.of(items)
            built += time.process_time() - started
            started = time.process_time()
            writer.write_batch(batch)
            wrote += time.process_time() - started
        started, cpu = time.perf_counter(), time.process_time()
        report = verify(writer.root, key.public_key(), head_file_lines(Path(tmp) / "heads.jsonl"))
        took, took_cpu = time.perf_counter() - started, time.process_time() - cpu
        per_row, by_column = _recompute(writer.root)
    per_call = 1e6 / args.calls
    print(f"{args.calls:,} calls, CPU time: build tables + canonical hashes {built * per_call:.1f} µs/call, "
          f"write segments + signed entry {wrote * per_call:.1f} µs/call")
    print(f"verify: {report.records:,} records, {report.batches} entries, intact={report.intact}: {took:.1f} s wall, "
          f"{took_cpu:.1f} s CPU = {took_cpu * 1e6 / report.records:.1f} s CPU per million records")
    print(f"recompute every call's record hash from its segment, CPU per million: canonical() of each row "
          f"(verify before) {per_row * per_call:.1f} s, column by column (verify now) {by_column * per_call:.1f} s")


def _recompute(root: Path) -> tuple[float, float]:
    """CPU seconds to hash every call segment's rows one record at a time, and column by column (same result)."""
    import hashlib

    import pyarrow.parquet as pq

    from stream.store.canonical import digest
    from stream.store.rowhash import table_rows

    tables = [pq.read_table(path) for path in sorted((root / "calls").rglob("*.parquet"))]
    started = time.process_time()
    slow = [[digest(row) for row in table.to_pylist()] for table in tables]
    per_row = time.process_time() - started
    started = time.process_time()
    fast = [[hashlib.sha256(row).hexdigest() for row in table_rows(table)] for table in tables]
    by_column = time.process_time() - started
    if fast != slow:
        raise SystemExit("the two ways disagree: the column path is wrong")
    return per_row, by_column


def _fresh(item):
    """The same audited call under a new event id (the store keeps each id once)."""
    import dataclasses

    from douane.ids import uuid7

    return dataclasses.replace(item, event=item.event.model_copy(update={"event_id": uuid7()}))


if __name__ == "__main__":
    main()
