"""Benchmark: the stream worker's judging path, beside a plain aiokafka loop and a quixstreams app.

Prints its figures; asserts nothing. Target (issue 20): >= 15,000 events/s judged per worker.
One tenant's events, keyed by event id as the gateway sends them, are published first; then, on
the same broker and the same records, each reader runs in turn and is timed from its first record
to the last one handled:
- decode and evaluate alone, in this process without Kafka (what judging costs by itself);
- a plain aiokafka loop that only ``json.loads`` each record (the ceiling of reading in Python);
- a quixstreams app doing the same decode (``.venv-bench``; skipped with a note when it is absent);
- the old shape of the worker: a Faust agent taking batches of the stream (``take_events``);
- the worker as it runs now: the judge (a batch consumer beside the Faust app), with cold engines and with
  engines that have judged other calls of the shop before (a worker in its steady state);
- 1, 2 and 3 workers (processes, one group) sharing the tenant's partitions.
    .venv/bin/python bench/worker_throughput.py [--events 30000] [--workers 1 2 3] [--no-faust-agent]
Runs its own broker in a temporary folder, so the topics hold only its traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import sys
import time
import uuid
from pathlib import Path

from aiokafka import AIOKafkaConsumer

from common import private_broker
from bench_workers import workers_throughput
from collector import EventPublisher, TrafficGenerator
from douane.contract import TOPICS, encode
from douane.contract.deadletter import Origin
from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.pipeline import Raw, audit_batch

ROOT = Path(__file__).parents[1]
EXAMPLES = ROOT / "deploy" / "examples"
QUIX_PYTHON = ROOT / ".venv-bench" / "bin" / "python"
WARM = 5_000  # calls a judge's engines have seen before the warm run (a worker that has run a while)


def events(n: int) -> list:
    return TrafficGenerator(("shop-berlin",), seed=5).events(n)


def audit_alone(n: int) -> tuple[float, float]:
    """Seconds (wall, CPU) to decode and evaluate ``n`` events in this process, no Kafka: the judging path's
    ceiling."""
    policies = PolicySet.load([EXAMPLES])
    raws = [Raw(str(e.event_id).encode(), encode(e), Origin(TOPICS.ai_calls.name, 0, i))
            for i, e in enumerate(events(n))]
    audit_batch(policies, raws[:1000])  # warm the engines' caches, as a running worker has them
    started, cpu = time.perf_counter(), time.process_time()
    for at in range(0, n, 1000):
        audit_batch(policies, raws[at:at + 1000])
    return time.perf_counter() - started, time.process_time() - cpu


def publish(bootstrap: str, n: int) -> float:
    """Publish ``n`` events of one shop, keyed by event id (spread over every partition)."""
    events_ = events(n)
    started = time.perf_counter()
    with EventPublisher(bootstrap, linger_ms=20) as publisher:
        for event in events_:
            publisher.publish_raw(str(event.event_id), encode(event))
        publisher.flush(timeout=120)
    return time.perf_counter() - started


async def aiokafka_loop(bootstrap: str, n: int) -> tuple[float, float]:
    """Seconds for a bare aiokafka consumer to read and ``json.loads`` ``n`` records."""
    consumer = AIOKafkaConsumer(TOPICS.ai_calls.name, bootstrap_servers=bootstrap, group_id=_group("aiokafka"),
                                auto_offset_reset="earliest", enable_auto_commit=False, max_poll_records=1000)
    await consumer.start()
    seen, first, cpu = 0, 0.0, 0.0
    try:
        while seen < n:
            for records in (await consumer.getmany(timeout_ms=100, max_records=1000)).values():
                if not first:
                    first, cpu = time.perf_counter(), time.process_time()
                for record in records:
                    json.loads(record.value)
                seen += len(records)
        elapsed = time.perf_counter() - first, time.process_time() - cpu
    finally:
        await consumer.stop()
    return elapsed


def quixstreams_app(bootstrap: str, n: int) -> float | None:
    """Seconds for the quixstreams app in ``.venv-bench``; None when that venv is not there."""
    if not QUIX_PYTHON.exists():
        return None
    out = subprocess.run([str(QUIX_PYTHON), str(ROOT / "bench" / "quix_decode.py"), "--bootstrap", bootstrap,
                          "--events", str(n)], capture_output=True, text=True, timeout=600, check=True)
    return float(out.stdout.split()[-1])


async def faust_agent(bootstrap: str, n: int) -> tuple[float, float]:
    """Seconds for the worker's old shape: a Faust agent over the calls, batches from ``take_events``."""
    app = StreamApp(StreamConfig(bootstrap, app_id=_group("faust-agent")), PolicySet.load([EXAMPLES]), [])
    app.stages.insert(0, app.findings_publisher())
    app.judge.start_from = "latest"  # the judge's new group sees no record: this run times the agent below
    calls = app.app.topic(TOPICS.ai_calls.name, key_serializer="raw", value_serializer="raw")
    clock = _Clock()

    async def agent(stream) -> None:
        async for events in stream.take_events(1000, within=0.1):
            clock.start()
            raws = [Raw(e.key, e.value, Origin(e.message.topic, e.message.partition, e.message.offset))
                    for e in events]
            await app.process(raws)
            for topic in app.judge.topics:
                await topic.flush()
            clock.count(len(raws))

    app.app.agent(calls, name="old-audit")(agent)
    return await _until(app, clock, n)


async def judge(bootstrap: str, n: int, warm: int = 0) -> tuple[float, float]:
    """Seconds for the worker as it runs now: the judge beside the Faust app, publishing findings.

    ``warm``: first judge that many calls of the same shop from another seed, not on Kafka, so that the
    engines' memos hold the shop's routes as in a worker that has run a while (cold, each of the ~800
    distinct decisions of the run is worked out once, ~12 µs per event of a 20,000-event run)."""
    app = StreamApp(StreamConfig(bootstrap, app_id=_group("judge")), PolicySet.load([EXAMPLES]), [])
    if warm:
        others = TrafficGenerator(("shop-berlin",), seed=7).events(warm)
        audit_batch(app.policies, [Raw(None, encode(e), Origin(TOPICS.ai_calls.name, 0, i))
                                   for i, e in enumerate(others)])
    app.stages.insert(0, app.findings_publisher())
    clock = _Clock()
    process = app.process

    async def timed(raws: list[Raw]) -> None:
        clock.start()
        await process(raws)
        clock.count(len(raws))

    app.judge.process = timed
    return await _until(app, clock, n)


class _Clock:
    """From the first batch taken to the last record handled."""

    def __init__(self) -> None:
        self.first = 0.0
        self.cpu = 0.0
        self.handled = 0

    def start(self) -> None:
        if not self.first:
            self.first, self.cpu = time.perf_counter(), time.process_time()

    def count(self, records: int) -> None:
        self.handled += records


async def _until(app: StreamApp, clock: _Clock, n: int, timeout: float = 600.0) -> tuple[float, float]:
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        deadline = time.monotonic() + timeout
        while clock.handled < n:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {clock.handled:,} of {n:,} records handled in {timeout:.0f} s")
            await asyncio.sleep(0.01)
        return time.perf_counter() - clock.first, time.process_time() - clock.cpu


def _group(name: str) -> str:
    return f"bench-{name}-{uuid.uuid4().hex[:8]}"


def _line(what: str, n: int, timed: float | tuple[float, float] | None) -> None:
    """One figure: events/s of wall time, and CPU µs per event where the run was in this process (the CPU
    figure moves less than the wall time when other programs share the machine)."""
    if timed is None:
        print(f"{what}: skipped (no .venv-bench with quixstreams; run `make bench-venv`)")
        return
    seconds, cpu = timed if isinstance(timed, tuple) else (timed, None)
    per_event = f", {cpu / n * 1e6:,.0f} µs CPU per event" if cpu is not None else ""
    print(f"{what}: {n:,} records in {seconds:.2f} s = {n / seconds:,.0f} events/s{per_event}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=30_000)
    parser.add_argument("--workers", type=int, nargs="*", default=[1, 2, 3],
                        help="worker processes in one group, one run each")
    parser.add_argument("--no-faust-agent", action="store_true", help="skip the old shape (the slowest run)")
    args = parser.parse_args()
    n = args.events
    with private_broker() as (bootstrap, _home):
        took = publish(bootstrap, n)
        print(f"published {n:,} events of one shop keyed by event id in {took:.1f} s (not part of the figures)")
        _line("decode and evaluate alone, no Kafka (the ceiling of judging in one process)", n, audit_alone(n))
        _line("aiokafka loop, json.loads only", n, asyncio.run(aiokafka_loop(bootstrap, n)))
        _line("quixstreams app, json.loads only", n, quixstreams_app(bootstrap, n))
        if not args.no_faust_agent:
            _line("worker, old shape (Faust agent, take_events): judged", n, asyncio.run(faust_agent(bootstrap, n)))
        _line("worker, judge beside Faust, cold engines: judged and findings published", n,
              asyncio.run(judge(bootstrap, n)))
        _line(f"worker, judge beside Faust, engines warmed by {WARM:,} other calls: judged and findings published",
              n, asyncio.run(judge(bootstrap, n, warm=WARM)))
        for workers in args.workers:
            seconds, judged = workers_throughput(bootstrap, n, workers)
            _line(f"{workers} worker process(es), one group: judged ({judged:,} judgements)", n, seconds)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
