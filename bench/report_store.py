"""A store of N calls for the report benchmark, built once and kept under ``.douane/bench`` (or
``$DOUANE_BENCH_CACHE``, e.g. a folder under /tmp).

20,000 calls of one shop (with an OpenAI outage and the NIS2 incident the stream opens for it)
are judged by the real rules engine and written by the real store writer; DuckDB then copies them,
with fresh event ids and shifted days, into one Parquet segment per day (as the compactor leaves
them; 330,000 rows a day at 10 M) committed by ledger
entries that name them without listing their records, each with its roll-ups as the compactor writes
them (``stream.store.rollup``): readers see them as any compacted segment, but the store is for timing
reports, not for ``douane ledger verify``. The seed's own segments have no roll-ups, as a sink's
fresh segments before compaction. A store already built for that size
is reused; runs work on a hard-linked copy (segments are immutable, so a writer beside the report
adds files and never changes the cached ones).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb

from collector import TrafficGenerator
from collector.synthetic import Outage
from stream import PolicySet
from stream.alerts import incidents as inc
from stream.store import StoreWriter, snapshot
from stream.store import chain as ledger
from stream.store.chain import Entry

ROOT = Path(__file__).parents[1]
CACHE = Path(os.environ.get("DOUANE_BENCH_CACHE", ROOT / ".douane" / "bench")) / "report-render"
"""Where built stores are kept: ``$DOUANE_BENCH_CACHE/report-render`` (e.g. under /tmp, shared by worktrees)."""
TENANT = "shop-berlin"
SEED_CALLS = 20_000
DAYS = 30  # the copies are spread over 30 days from START
START = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)
OUTAGE = Outage("openai", START + timedelta(minutes=30), START + timedelta(minutes=50))
VERSION = 4  # bump when the built store changes shape, so stale caches are rebuilt


def cached_store(calls: int) -> tuple[Path, float]:
    """The cached store of ``calls`` calls (built now if missing) and the seconds building took (0 when cached)."""
    path = CACHE / f"v{VERSION}-{calls}"
    if (path / "BUILT").exists():
        return path, 0.0
    shutil.rmtree(path, ignore_errors=True)
    started = time.perf_counter()
    build_store(path, calls)
    (path / "BUILT").write_text(str(calls))
    return path, time.perf_counter() - started


def working_copy(cached: Path, folder: Path) -> Path:
    """A hard-linked copy of ``cached`` in ``folder``: instant, and what a writer adds stays out of the cache."""
    target = folder / "store"
    subprocess.run(["cp", "-al", str(cached), str(target)], check=True)
    return target


def build_store(path: Path, calls: int) -> None:
    """Write the seed calls and the incident for real, then copy the calls up to ``calls``."""
    from stream.store.rollup import write_rollups  # here: the bench's workers import this module with older code

    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    events = TrafficGenerator((TENANT,), seed=3, start=START, outages=(OUTAGE,)).events(SEED_CALLS)
    for i in range(0, len(events), 5_000):
        writer.write([policies.audit(e) for e in events[i:i + 5_000]])
    writer.record_incident(_incident([e for e in events if e.outcome.error_class is not None]))
    seed = [str(path / f) for f in snapshot(path).live_files("calls/")]
    copies = range(1, calls // SEED_CALLS)
    for shift in range(DAYS):  # one segment per day, as the compactor merges each (tenant, day) folder
        days = [k for k in copies if k % DAYS == shift]
        if not days:
            continue
        relative = f"calls/tenant={TENANT}/day={(START + timedelta(days=shift)).date()}/bench-{shift:02d}.parquet"
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        duckdb.sql(f"""COPY (SELECT * REPLACE (gen_random_uuid()::VARCHAR AS event_id,
                                              observed_at + to_days({shift}) AS observed_at)
                           FROM read_parquet({seed!r}), (SELECT unnest({days}) AS k) AS copies)
                      TO '{path / relative}' (FORMAT parquet)""")
        _commit_unlisted(writer, relative, SEED_CALLS * len(days), write_rollups(path, relative))


def _incident(failures: list) -> dict:
    """What the stream's desk records for the outage: opened at the third failure, counting on, acknowledged."""
    state = inc.open_nis2(TENANT, "openai", {"lockout": 3}, 15, failures[2].observed_at)
    for event in failures[3:]:
        state = inc.record_signal(state, event.observed_at)
    return inc.acknowledged(state, "lena.vogt", failures[2].observed_at + timedelta(minutes=20))


def _commit_unlisted(writer: StoreWriter, relative: str, rows: int, rollups: dict[str, str]) -> None:
    state = writer._state("calls.bench")
    seq = state.seq + 1
    entry = Entry(writer.identity.id, "calls.bench", seq, state.hash, "records", [[relative, rows]], 0, "",
                  f"{seq:012d}-bench.records", None, None, "2026-10-01T00:00:00.000000Z", "bench",
                  {"rollups": rollups}).sealed(writer.key)
    ledger.commit(writer.root, entry, "")
    state.seq, state.hash = entry.seq, entry.hash
