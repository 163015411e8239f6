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
import tempfile
import time
from datetime import date, datetime, timezone
from pathlib import Path

from collector import TrafficGenerator
from reports import article30_html, build_article30, to_pdf
from stream import PolicySet
from stream.store import StoreWriter, open_store

ROOT = Path(__file__).parents[1]
SEED_CALLS = 20_000
START = datetime(2026, 10, 1, 8, 0, tzinfo=timezone.utc)


def build_store(path: Path, calls: int) -> float:
    """Write the seed calls for real, then copy them up to ``calls``; returns seconds taken."""
    started = time.perf_counter()
    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    events = TrafficGenerator(("shop-berlin",), seed=3, start=START).events(SEED_CALLS)
    for i in range(0, len(events), 5_000):
        writer.write([policies.audit(e) for e in events[i:i + 5_000]])
    writer.close()
    copies = calls // SEED_CALLS - 1
    con = open_store(path)
    con.execute("""
        INSERT INTO calls SELECT c.* REPLACE (gen_random_uuid() AS event_id,
                                              c.observed_at + to_days(CAST(copies.k % 30 AS INTEGER)) AS observed_at)
        FROM calls c, range(1, ? + 1) AS copies(k)
        ORDER BY observed_at""", [copies])
    con.close()
    return time.perf_counter() - started


def render(path: Path) -> dict[str, float]:
    """Seconds for each step of ``douane report article30`` over the whole store."""
    times = {}
    con = open_store(path, read_only=True)
    started = time.perf_counter()
    report = build_article30(con, "shop-berlin", date(2026, 10, 1), date(2026, 11, 30))
    times["queries"] = time.perf_counter() - started
    con.close()
    started = time.perf_counter()
    html = article30_html(report)
    times["html"] = time.perf_counter() - started
    started = time.perf_counter()
    pdf = to_pdf(html)
    times["pdf"] = time.perf_counter() - started
    times["total"] = sum(times.values())
    times["calls"] = report.calls_total
    times["bytes"] = len(pdf)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    args = parser.parse_args()
    print("Article 30 report render time (one shop, 30 days of calls; 2 cores)")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "store.duckdb"
            built = build_store(path, size)
            t = render(path)
            mb = path.stat().st_size / 1e6
            print(f"  {t['calls']:>11,} calls (store {mb:,.0f} MB, built in {built:.0f} s): queries {t['queries']:.2f} s, "
                  f"HTML {t['html']:.2f} s, PDF {t['pdf']:.2f} s — total {t['total']:.2f} s ({t['bytes']:,} bytes)")


if __name__ == "__main__":
    main()
