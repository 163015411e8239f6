"""Several stream workers in one group, each in its own process (used by ``bench/worker_throughput.py``).

The workers join first and hold back until the group has settled (every partition owned, the
split unchanged for two seconds); then all start together and the run is timed until the
records were judged. ``judged`` counts judgements: more than the records means a partition
changed hands mid-run and some were judged twice (at least once, never lost).
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
import uuid
from pathlib import Path

from douane.settings import Settings

EXAMPLES = Path(__file__).parents[1] / "deploy" / "examples"
PARTITIONS = Settings().topic_partitions


def _worker(bootstrap: str, group: str, index: int, ready, go, stop, judged, owned) -> None:
    from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig

    async def run() -> None:
        app = StreamApp(StreamConfig(bootstrap, app_id=group), PolicySet.load([EXAMPLES]), [])
        app.stages.insert(0, app.findings_publisher())
        poll = app.judge._poll_once

        async def held_back(consumer) -> None:
            if go.is_set():
                await poll(consumer)
            else:
                await asyncio.sleep(0.05)

        app.judge._poll_once = held_back
        async with EmbeddedWorker(app.app) as worker:
            await worker.wait_ready()
            ready.set()
            while not stop.is_set():
                judged[index] = app.judge.judged
                owned[index] = len(app.judge.assignment())
                await asyncio.sleep(0.02)

    asyncio.run(run())


def workers_throughput(bootstrap: str, n: int, workers: int, timeout: float = 600.0) -> tuple[float, int]:
    """Seconds for ``workers`` processes in one group to judge ``n`` pre-published records, and the judgements."""
    ctx = multiprocessing.get_context("spawn")
    group = f"bench-workers-{uuid.uuid4().hex[:8]}"
    go, stop = ctx.Event(), ctx.Event()
    judged, owned = ctx.Array("q", workers), ctx.Array("i", workers)
    ready = [ctx.Event() for _ in range(workers)]
    procs = [ctx.Process(target=_worker, args=(bootstrap, group, i, ready[i], go, stop, judged, owned))
             for i in range(workers)]
    for proc in procs:
        proc.start()
    try:
        for event in ready:
            if not event.wait(240):
                raise RuntimeError("a worker did not join its group within 240 s")
        _settled(owned, min(workers, PARTITIONS))
        go.set()
        started = time.perf_counter()
        while sum(judged) < n:
            if time.perf_counter() - started > timeout or not all(p.is_alive() for p in procs):
                raise RuntimeError(f"the workers judged {sum(judged):,} of {n:,} records")
            time.sleep(0.02)
        return time.perf_counter() - started, sum(judged)
    finally:
        stop.set()
        for proc in procs:
            proc.join(60)


def _settled(owned, holders: int, hold: float = 2.0, timeout: float = 120.0) -> None:
    """Wait until ``holders`` workers own all the partitions and the split stays for ``hold`` seconds."""
    deadline, since, last = time.monotonic() + timeout, None, None
    while time.monotonic() < deadline:
        split = tuple(owned)
        if sum(split) == PARTITIONS and sum(1 for s in split if s) == holders:
            if split != last:
                since, last = time.monotonic(), split
            elif time.monotonic() - since >= hold:
                return
        else:
            last = None
        time.sleep(0.1)
    raise RuntimeError(f"the group never settled: partitions owned per worker {tuple(owned)}")
