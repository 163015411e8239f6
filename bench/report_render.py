"""Benchmark: time to render the Article 30 report over 1 million and 10 million call records.

The store is built the way production builds it, then grown: 20,000 synthetic calls of one shop
are judged by the real rules engine and written by the real store writer (rows, findings,
ledger), then copied inside DuckDB with fresh event ids and shifted days until the store holds
the target number of calls. The report is then built (queries), rendered to HTML and to PDF;
each step is timed. Target (issue 6): under 10 s for 10 million. Prints its figures; asserts nothing.
    .venv/bin/python bench/report_render.py [--sizes 1000000 10000000]
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

import duckdb

from collector import TrafficGenerator
from reports import article30_html, build_article30, to_pdf
from stream import PolicySet
from stream.store import StoreBatch, StoreWriter, open_store, snapshot
from stream.store import chain as ledger
from stream.store.chain import Entry

ROOT = Path(__file__).parents[1]
SEED_CALLS = 20_000
START = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)


def build_store(path: Path, calls: int) -> float:
    """Write the seed calls for real, then copy them up to ``calls``; returns seconds taken.

    The copies are written by DuckDB as Parquet segments (fresh event ids, shifted days), each
    committed by a ledger entry that names it without listing its records: readers see them like
    any segment, but this store is for timing reports, not for ``douane ledger verify``.
    """
    started = time.perf_counter()
    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    events = TrafficGenerator(("shop-berlin",), seed=3, start=START).events(SEED_CALLS)
    for i in range(0, len(events), 5_000):
        writer.write([policies.audit(e) for e in events[i:i + 5_000]])
    seed = [str(path / f) for f in snapshot(path).live_files("calls/")]
    copies = calls // SEED_CALLS - 1
    for k in range(1, copies + 1):
        relative = f"calls/tenant=shop-berlin/copies/bench-{k:06d}.parquet"
        (path / relative).parent.mkdir(parents=True, exist_ok=True)
        duckdb.sql(f"""COPY (SELECT * REPLACE (gen_random_uuid()::VARCHAR AS event_id,
                                              observed_at + to_days({k % 30}) AS observed_at)
                           FROM read_parquet({seed!r})) TO '{path / relative}' (FORMAT parquet)""")
        _commit_unlisted(writer, relative, SEED_CALLS)
    return time.perf_counter() - started


def _commit_unlisted(writer: StoreWriter, relative: str, rows: int) -> None:
    state = writer._state("calls.bench")
    seq = state.seq + 1
    entry = Entry(writer.identity.id, "calls.bench", seq, state.hash, "records", [[relative, rows]], 0, "",
                  f"{seq:012d}-bench.records", None, None, "2026-10-01T00:00:00.000000Z", "bench").sealed(writer.key)
    ledger.commit(writer.root, entry, "")
    state.seq, state.hash = entry.seq, entry.hash


def keep_writing(path: str, stop, written) -> None:
    """A writer beside the report: batches of 5,000 calls until told to stop (run in a process of its own)."""
    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    writer = StoreWriter(path)
    events = TrafficGenerator(("shop-berlin",), seed=4, start=START).events(50_000)
    batches = [StoreBatch.of([policies.audit(e) for e in events[i:i + 5_000]]) for i in range(0, 50_000, 5_000)]
    while not stop.is_set():
        for batch in batches:
            written.value += writer.write_batch(batch).written
            if stop.is_set():
                break
        batches = [StoreBatch.of([policies.audit(e) for e in TrafficGenerator(
            ("shop-berlin",), seed=int(time.time()), start=START).events(5_000)])]


def render(path: Path) -> dict[str, float]:
    """Seconds for each step of ``douane report article30`` over the whole store."""
    times = {}
    started = time.perf_counter()
    con = open_store(path)
    times["open"] = time.perf_counter() - started
    started = time.perf_counter()
    with _per_query() as queries:
        report = build_article30(con, "shop-berlin", date(2026, 10, 1), date(2026, 11, 30))
    times["queries"] = time.perf_counter() - started
    times["per_query"] = queries
    con.close()
    started = time.perf_counter()
    html = article30_html(report)
    times["html"] = time.perf_counter() - started
    started = time.perf_counter()
    pdf = to_pdf(html)
    times["pdf"] = time.perf_counter() - started
    times["total"] = sum(v for k, v in times.items() if k != "per_query")  # open, queries, html, pdf
    times["calls"] = report.calls_total
    times["bytes"] = len(pdf)
    return times


@contextlib.contextmanager
def _per_query():
    """Seconds spent in each query function of ``reports`` (the profiler's cumulative time), slowest first."""
    import cProfile
    import pstats

    found: dict[str, float] = {}
    profile = cProfile.Profile()
    profile.enable()
    try:
        yield found
    finally:
        profile.disable()
        stats = pstats.Stats(profile).stats
        for (file, _, name), (_, _, _, cumulative, _) in stats.items():
            if file.endswith(("reports/queries.py", "reports/evidence.py")) and not name.startswith("<"):
                found[name] = found.get(name, 0.0) + cumulative
        ordered = sorted(found.items(), key=lambda kv: -kv[1])
        found.clear()
        found.update(ordered)


def main() -> None:
    import multiprocessing

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--while-writing", action="store_true", help="a writer adds calls during the report")
    args = parser.parse_args()
    print("Article 30 report render time (one shop, 30 days of calls; 2 cores)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "store"
            built = build_store(path, size)
            ctx = multiprocessing.get_context("spawn")
            stop, written = ctx.Event(), ctx.Value("q", 0)
            writer = ctx.Process(target=keep_writing, args=(str(path), stop, written))
            if args.while_writing:
                writer.start()
                while written.value == 0:
                    time.sleep(0.1)
            t = render(path)
            stop.set()
            if args.while_writing:
                writer.join(120)
            mb = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
            beside = f"; a writer stored {written.value:,} calls meanwhile" if args.while_writing else ""
            print(f"  {t['calls']:>11,} calls (store {mb:,.0f} MB, built in {built:.0f} s): open {t['open']:.2f} s, "
                  f"queries {t['queries']:.2f} s, HTML {t['html']:.2f} s, PDF {t['pdf']:.2f} s — total "
                  f"{t['total']:.2f} s ({t['bytes']:,} bytes){beside}")
            slowest = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in list(t["per_query"].items())[:5])
            print(f"      slowest queries: {slowest}")


if __name__ == "__main__":
    main()
