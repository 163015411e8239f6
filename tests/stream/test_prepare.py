"""The sink's preparing processes: the same batch as in-process preparation, and a dead one replaced."""

from __future__ import annotations

import multiprocessing
import os
import signal

from collector import TrafficGenerator
from douane.contract import encode
from stream import PolicySet
from stream.prepare import Preparer, Records, prepare
from tests.stream.conftest import EXAMPLES

POLICIES = PolicySet.load([EXAMPLES])


def records(n: int = 300) -> Records:
    events = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=5).events(n)
    values = [encode(e) for e in events] + [b"{not json", b'{"schema": "douane.ai_call/1"}']
    return Records("douane.ai-calls", [0] * len(values), list(range(len(values))), [b"k"] * len(values), values)


async def test_a_child_process_prepares_what_this_process_would() -> None:
    batch = records()
    here = prepare(POLICIES, batch)
    preparer = Preparer(POLICIES, processes=2)
    try:
        there = await preparer(batch)
    finally:
        preparer.close()
    assert there.batch.calls.equals(here.batch.calls)
    assert there.batch.hashes == here.batch.hashes and len(set(here.batch.hashes)) == 300
    assert there.batch.received == here.batch.received == 300
    assert here.batch.offsets == list(range(300)) and set(here.batch.partitions) == {0}
    assert here.batch.ranges == {0: (0, 301)}, "the last offset read counts the dead letters too"
    assert [(x.origin, x.reason, x.value) for x in there.letters] == [(x.origin, x.reason, x.value) for x in here.letters]
    assert [x.origin.offset for x in there.letters] == [300, 301]


async def test_a_preparing_process_that_dies_is_replaced() -> None:
    preparer = Preparer(POLICIES, processes=1)
    try:
        await preparer.start()
        (pid,) = list(preparer._executor._processes)  # noqa: SLF001 - the child to kill
        os.kill(pid, signal.SIGKILL)
        prepared = await preparer(records(50))
        assert prepared.batch.calls.num_rows == 50
        assert pid not in preparer._executor._processes  # noqa: SLF001
    finally:
        preparer.close()


async def test_without_processes_it_prepares_in_a_thread() -> None:
    preparer = Preparer(POLICIES, processes=0)
    await preparer.start()
    assert preparer._executor is None  # noqa: SLF001
    assert (await preparer(records(20))).batch.calls.num_rows == 20


async def test_every_preparing_process_is_started_before_the_sink_reads() -> None:
    """A pool of the spawn kind starts a process when a task finds none idle: the second one used to start
    (importing Douane, a second or more) with the second batch, in the middle of the stream."""
    before = set(multiprocessing.active_children())
    preparer = Preparer(POLICIES, processes=2)
    try:
        await preparer.start()
        started = set(multiprocessing.active_children()) - before
        assert len(started) == 2 and all(p.is_alive() for p in started)
    finally:
        preparer.close()
