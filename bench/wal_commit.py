"""Benchmark: what making an event durable costs, from the caller's side, at a fixed arrival rate.

Rows in one run, on the same disk, at the same rate (default 200 records/s of ~1.3 KB, the size of
an encoded event), interleaved in rounds so that a busy moment of the machine hits them all:

- ``raw fsync`` / ``raw fdatasync``: one write and one flush per record in the caller's thread —
  the disk's own price, the floor nothing above it can go under;
- ``raw pwrite+fdatasync, append``: the same with ``os.pwrite`` at the file's end (no buffered file);
- ``raw pwrite+fdatasync, pre-zeroed``: ``os.pwrite`` over a segment written with zeros and flushed
  beforehand, so the flush has no file size or block allocation to record (how PostgreSQL's WAL
  segments keep fsync cheap);
- ``raw O_DSYNC, pre-zeroed``: the same segment opened ``O_DSYNC`` (each write returns once durable);
- ``group commit, fsync``: ``collector/wal.py`` awaited from asyncio tasks as a request handler
  awaits it (``asyncio.wrap_future``, so the hand-back to the event loop is counted), flushing
  with fsync as before;
- ``group commit, fdatasync``: the same as the spool does now;
- ``group commit, thread``: the same, measured from the submitting thread (no event loop).

Issue 13's budget: durability adds at most 2 ms p99 at 200 req/s.
    .venv/bin/python bench/wal_commit.py [--rate 200] [--seconds 7] [--dir FOLDER]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path

from common import pct

import collector.spool as spool_module
from collector.spool import Spool
from collector.wal import GroupCommit

RECORD = b'{"event_id":"' + b"0" * 36 + b'","pad":"' + b"x" * 1250 + b'"}'


def raw(sync):
    return lambda folder, rate, count: raw_flush(folder, rate, count, sync)


def raw_flush(folder: Path, rate: float, count: int, sync) -> list[float]:
    latencies = []
    with open(folder / "raw.log", "ab") as log:
        for _i, _at in _ticks(rate, count):
            started = time.perf_counter()
            log.write(RECORD + b"\n")
            log.flush()
            sync(log.fileno())
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def pwrite_append(folder: Path, rate: float, count: int) -> list[float]:
    fd = os.open(folder / "append.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        return _pwrites(fd, rate, count, os.fdatasync, offset=None)
    finally:
        os.close(fd)


def pre_zeroed(flags: int, sync):
    def run(folder: Path, rate: float, count: int) -> list[float]:
        path = folder / "segment.log"
        with open(path, "wb") as segment:  # the segment exists, zeroed and flushed, before the first record
            segment.write(bytes((len(RECORD) + 1) * count + 4096))
            segment.flush()
            os.fsync(segment.fileno())
        fd = os.open(path, os.O_WRONLY | flags)
        try:
            return _pwrites(fd, rate, count, sync, offset=0)
        finally:
            os.close(fd)
    return run


def _pwrites(fd: int, rate: float, count: int, sync, offset: int | None) -> list[float]:
    latencies, line, at = [], RECORD + b"\n", offset
    for _i, _tick in _ticks(rate, count):
        started = time.perf_counter()
        if at is None:
            os.write(fd, line)
        else:
            os.pwrite(fd, line, at)
            at += len(line)
        if sync is not None:
            sync(fd)
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def group_thread(folder: Path, rate: float, count: int) -> list[float]:
    spool = Spool(folder / "thread")
    wal = GroupCommit(spool, on_commit=lambda: None)
    latencies: list[float] = []
    pending = []
    for _i, _at in _ticks(rate, count):
        started = time.perf_counter()
        future = wal.submit(RECORD)
        future.add_done_callback(lambda _f, s=started: latencies.append((time.perf_counter() - s) * 1000))
        pending.append(future)
    for future in pending:
        future.result(10)
    wal.close()
    spool.close()
    return latencies


def group_loop(sync):
    def run(folder: Path, rate: float, count: int) -> list[float]:
        spool_module.sync_file = sync
        try:
            return group_awaited(folder, rate, count)
        finally:
            spool_module.sync_file = os.fdatasync
    return run


def group_awaited(folder: Path, rate: float, count: int) -> list[float]:
    spool = Spool(folder / "loop")
    wal = GroupCommit(spool, on_commit=lambda: None)
    latencies: list[float] = []

    async def one(at: float) -> None:
        await asyncio.sleep(max(0.0, at - time.perf_counter()))
        started = time.perf_counter()
        await asyncio.wrap_future(wal.submit(RECORD))
        latencies.append((time.perf_counter() - started) * 1000)

    async def all_of_them() -> None:
        start = time.perf_counter()
        await asyncio.gather(*(one(start + i / rate) for i in range(count)))

    asyncio.run(all_of_them())
    wal.close()
    spool.close()
    return latencies


def _ticks(rate: float, count: int):
    start = time.perf_counter()
    for i in range(count):
        at = start + i / rate
        time.sleep(max(0.0, at - time.perf_counter()))
        yield i, at


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="each row this many times, interleaved")
    parser.add_argument("--dir", type=Path, default=None, help="a folder on the disk to measure (default: a temp dir)")
    args = parser.parse_args()
    count = int(args.rate * args.seconds)
    rows = {"raw fsync": raw(os.fsync), "raw fdatasync": raw(os.fdatasync),
            "raw pwrite+fdatasync, append": pwrite_append,
            "raw pwrite+fdatasync, pre-zeroed": pre_zeroed(0, os.fdatasync),
            "raw O_DSYNC, pre-zeroed": pre_zeroed(os.O_DSYNC, None), "group commit, fsync": group_loop(os.fsync),
            "group commit, fdatasync": group_loop(os.fdatasync), "group commit, thread": group_thread}
    seen: dict[str, list[float]] = {name: [] for name in rows}
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        for round_ in range(args.rounds):
            for name, run in rows.items():
                folder = Path(tmp) / f"{round_}-{len(seen[name])}-{name.replace(' ', '').replace(',', '')}"
                folder.mkdir()
                seen[name] += run(folder, args.rate, count)
    print(f"durability cost: {count * args.rounds} records of {len(RECORD)} B per row at {args.rate:g}/s "
          f"in {args.dir or tempfile.gettempdir()}")
    for name, latencies in seen.items():
        floor = pct(seen["raw fsync" if name.endswith("fsync") else "raw fdatasync"], 0.99)
        extra = "" if name.startswith("raw") else f"  p99 over the raw flush {pct(latencies, 0.99) - floor:+6.2f} ms"
        print(f"  {name:<34} p50 {pct(latencies, 0.5):6.2f} ms  p99 {pct(latencies, 0.99):6.2f} ms  "
              f"max {max(latencies):7.2f} ms{extra}")


if __name__ == "__main__":
    main()
