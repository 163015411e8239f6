"""The sink's batch preparation (decode, evaluate, build Arrow tables, encode Parquet), in a process of its own.

Preparing is pure Python and needs the interpreter lock the whole time; DuckDB, writing the
batch before, needs it too, now and then, to read the Arrow tables it is given. In one
process each waits for the other (a measured 40 µs write became 100 µs per call). A child
process prepares batch N+1 while the parent writes batch N: the records go over as plain
columns of bytes, the tables come back as Arrow buffers with the Parquet segments already
encoded (the sink only writes their bytes).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import multiprocessing
import os
import signal
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from douane.contract import DecodeError
from douane.contract.deadletter import DeadLetter, Origin
from douane.contract.fast import read_event
from stream.pipeline import Raw
from stream.policies import PolicySet
from stream.store.batch import StoreBatch
from stream.triage import stage_failure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Records:
    """One topic's records from a poll, as columns (cheap to send to another process)."""

    topic: str
    partitions: list[int]
    offsets: list[int]
    keys: list[bytes | None]
    values: list[bytes | None]

    @classmethod
    def of(cls, topic: str, records: list) -> "Records":
        """From consumer records (anything with partition, offset, key and value)."""
        return cls(topic, [r.partition for r in records], [r.offset for r in records], [r.key for r in records],
                   [r.value for r in records])

    def ranges(self) -> dict[int, tuple[int, int]]:
        """Per partition, the first and last offset read (dead letters included)."""
        out: dict[int, tuple[int, int]] = {}
        for partition, offset in zip(self.partitions, self.offsets):
            first, last = out.get(partition, (offset, offset))
            out[partition] = (min(first, offset), max(last, offset))
        return out


@dataclass(frozen=True)
class Prepared:
    """A batch ready for the writer, and the records that go to the DLQ instead."""

    batch: StoreBatch
    letters: list[DeadLetter]


def prepare(policies: PolicySet, records: Records) -> Prepared:
    """Decode and evaluate every record (failures become dead letters), then build the writer's tables.

    ``pipeline.audit_batch``'s loop without a ``Raw`` and an ``Origin`` made for every record:
    only a record that fails gets them (about 4 µs a call less).
    """
    items, origins, letters = [], [], []
    audit = policies.audit
    for partition, offset, key, value in zip(records.partitions, records.offsets, records.keys, records.values):
        try:
            event = read_event(value)
        except DecodeError as exc:
            letters.append(DeadLetter(key, value, exc.reason, "decode", Origin(records.topic, partition, offset)))
            continue
        try:
            items.append(audit(event))
        except Exception as exc:  # noqa: BLE001 - unknown tenant or a rules failure: dead-lettered
            letters.append(stage_failure(Raw(key, value, Origin(records.topic, partition, offset)), "evaluate", exc))
            continue
        origins.append((partition, offset))
    return Prepared(StoreBatch.of(items, origins, records.ranges()).encoded(), letters)


_POLICIES: PolicySet | None = None  # the child's own copy, set once when it starts


def _adopt(policies: PolicySet, parent: int) -> None:
    global _POLICIES
    _POLICIES = policies
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the sink decides when to stop
    # A batch allocates hundreds of thousands of short-lived objects, freed by reference counting; the
    # cyclic collector's default (a pass per 700 allocations) cost 10% of the preparing time.
    gc.set_threshold(100_000, 50, 100)
    threading.Thread(target=_exit_with, args=(parent,), daemon=True, name="parent-watch").start()


def _exit_with(parent: int) -> None:
    """End this process when the sink is gone (killed with SIGKILL, it cannot stop its children)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def _prepare_in_child(records: Records) -> Prepared:
    return prepare(_POLICIES, records)


def _quietly(task: asyncio.Future) -> None:
    if not task.cancelled():
        task.exception()  # retrieved: asyncio does not log it as never retrieved


class Preparer:
    """Prepares batches in ``processes`` child processes, or in a thread of this one when it is 0."""

    def __init__(self, policies: PolicySet, processes: int = 1) -> None:
        self.policies = policies
        self.processes = processes
        self._executor: Executor | None = None

    async def __call__(self, records: Records) -> Prepared:
        """The prepared batch (a child process that died is replaced, and the batch prepared again)."""
        if self.processes == 0:
            return await asyncio.to_thread(prepare, self.policies, records)
        loop = asyncio.get_running_loop()
        pool = self._pool()
        try:
            return await loop.run_in_executor(pool, _prepare_in_child, records)
        except BrokenProcessPool as exc:
            logger.error("a preparing process died (%s); starting new ones and preparing the batch again", exc)
            if self._executor is pool:  # the first of the batches in flight to notice replaces the pool
                self.close()
            return await loop.run_in_executor(self._pool(), _prepare_in_child, records)

    async def start(self) -> None:
        """Start every child process now; return once one is ready (each imports Douane and builds the engines).

        A pool of the spawn kind starts a process only when a task finds none idle: started with
        one task, the second process would start with the second batch, in the middle of the
        stream. One task per process, submitted together, starts them all.
        """
        if not self.processes:
            return
        loop, pool, nothing = asyncio.get_running_loop(), self._pool(), Records("", [], [], [], [])
        warming = [loop.run_in_executor(pool, _prepare_in_child, nothing) for _ in range(self.processes)]
        for task in warming:
            task.add_done_callback(_quietly)  # the others finish later; a failure shows with the first batch
        done, _ = await asyncio.wait(warming, return_when=asyncio.FIRST_COMPLETED)
        for task in done:
            task.result()

    def close(self) -> None:
        """Stop the child processes."""
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None

    def _pool(self) -> Executor:
        if self._executor is None:
            # spawn, not fork: the parent runs threads (the event loop's, DuckDB's) that a fork would copy mid-lock
            self._executor = ProcessPoolExecutor(self.processes, multiprocessing.get_context("spawn"),
                                                 initializer=_adopt, initargs=(self.policies, os.getpid()))
        return self._executor

