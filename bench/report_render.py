"""Benchmark: the Article 30 record, the DPIA and the NIS2 incident report over 1 M and 10 M calls.

Each store is built once and cached (see ``report_store.py``). For each size, the reports are built
from a fresh snapshot (queries), rendered to HTML and to PDF, each step timed (wall and CPU
seconds), by this tree's code and, side by side in the same run, by the code of ``--before`` (a
commit unpacked with ``git archive``), alternating, each in a process of its own. With
``--while-writing`` a store writer adds calls to the store during every report. Target (issues 17
and 18): a report over 10 M calls in under 10 s. Prints its figures; asserts nothing.
    .venv/bin/python bench/report_render.py [--sizes 1000000 10000000] [--before 82755be] [--while-writing]
        [--documents article30 dpia incident] [--rounds 1]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from report_store import ROOT, START, TENANT, cached_store, working_copy  # noqa: E402

PERIOD = (date(2026, 10, 1), date(2026, 11, 30))
DOCUMENTS = ("article30", "dpia", "incident")


def render_all(path: str, documents: tuple[str, ...] = DOCUMENTS) -> dict[str, dict[str, float]]:
    """Wall and CPU seconds of each step of each document (run by ``--worker`` in the code under test)."""
    from reports import (article30_html, build_article30, build_dpia, build_incident, dpia_html, incident_html,
                         to_pdf)
    from stream.store import open_store

    def incident_id(con) -> str:
        return con.execute("SELECT incident_id FROM incidents WHERE kind = 'nis2' LIMIT 1").fetchall()[0][0]

    steps = {"article30": (lambda con: build_article30(con, TENANT, *PERIOD), article30_html),
             "dpia": (lambda con: build_dpia(con, TENANT, *PERIOD), dpia_html),
             "incident": (lambda con: build_incident(con, incident_id(con)), incident_html)}
    times = {}
    for name in documents:
        build, html = steps[name]
        took = {}
        con = _timed(took, "open", lambda: open_store(path))
        report = _timed(took, "queries", lambda: build(con))
        con.close()
        page = _timed(took, "html", lambda: html(report))
        _timed(took, "pdf", lambda: to_pdf(page))
        took["calls"] = getattr(report, "calls_total", 0)
        times[name] = took
    return times


def _timed(took: dict, step: str, work):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    took[step], took[f"{step}_cpu"] = time.perf_counter() - wall, time.process_time() - cpu
    return result


def keep_writing(path: str, stop, written) -> None:
    """A writer beside the reports: batches of 5,000 calls until told to stop (run in a process of its own)."""
    from collector import TrafficGenerator
    from stream import PolicySet
    from stream.store import StoreBatch, StoreWriter

    policies = PolicySet.load([ROOT / "deploy" / "examples"])
    writer = StoreWriter(path)
    seed = 4
    while not stop.is_set():
        events = TrafficGenerator((TENANT,), seed=seed, start=START).events(5_000)
        written.value += writer.write_batch(StoreBatch.of([policies.audit(e) for e in events])).written
        seed += 1


def run_worker(code: Path, path: Path, documents: list[str]) -> dict:
    """``render_all`` in a process whose imports come from ``code``."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    done = subprocess.run([sys.executable, __file__, "--worker", str(path), "--documents", *documents], env=env,
                          cwd=code, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"the reports of {code} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def unpack(rev: str, folder: Path) -> Path:
    from gateway_targets import unpack as unpacked

    return unpacked(rev, folder)


def line(label: str, t: dict) -> str:
    steps = ", ".join(f"{s} {t[s]:.2f} s ({t[f'{s}_cpu']:.2f} CPU)" for s in ("open", "queries", "html", "pdf"))
    total = sum(t[s] for s in ("open", "queries", "html", "pdf"))
    return f"    {label:<8} total {total:6.2f} s — {steps}"


def bench_size(size: int, codes: dict[str, Path], rounds: int, while_writing: bool, documents: list[str]) -> None:
    cached, built = cached_store(size)
    print(f"  {size:,} calls ({'built in %.0f s' % built if built else 'cached'}: {cached})", flush=True)
    for round_ in range(rounds):
        for label, code in codes.items():
            with tempfile.TemporaryDirectory() as tmp:
                path = working_copy(cached, Path(tmp))
                ctx = multiprocessing.get_context("spawn")
                stop, written = ctx.Event(), ctx.Value("q", 0)
                writer = ctx.Process(target=keep_writing, args=(str(path), stop, written))
                if while_writing:
                    writer.start()
                    while written.value == 0:
                        time.sleep(0.1)
                try:
                    times = run_worker(code, path, documents)
                finally:
                    stop.set()
                    if while_writing:
                        writer.join(120)
            beside = f" (a writer stored {written.value:,} calls meanwhile)" if while_writing else ""
            print(f"   round {round_ + 1}, {label}{beside}:", flush=True)
            for name in documents:
                print(line(name, times[name]), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--before", default="82755be", help="the commit to run side by side ('' for none)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--while-writing", action="store_true", help="a writer adds calls during each report")
    parser.add_argument("--documents", nargs="+", choices=DOCUMENTS, default=list(DOCUMENTS))
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(render_all(args.worker, tuple(args.documents))))
        return
    print(f"Reports over one shop's calls, {PERIOD[0]} to {PERIOD[1]} (wall seconds, CPU seconds in brackets)")
    with tempfile.TemporaryDirectory() as tmp:
        codes = {"now": ROOT}
        if args.before:
            codes["before"] = unpack(args.before, Path(tmp))
        for size in args.sizes:
            bench_size(size, codes, args.rounds, args.while_writing, args.documents)


if __name__ == "__main__":
    main()
