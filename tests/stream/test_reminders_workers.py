"""NIS2 reminders over several workers on the real broker: a worker leaves, another joins, and
every incident still gets each reminder exactly once, from whichever worker owns it then."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from stream import EmbeddedWorker, StreamApp
from tests.stream.conftest import publish, steady, until
from tests.stream.test_reminders import LABELS, lockouts, reminders, signal_app, slack  # noqa: F401

logger = logging.getLogger(__name__)
pytestmark = pytest.mark.kafka
PARTITIONS = 6
INCIDENTS = 30
# Each phase moves the desks' clock to where one more Art. 23 deadline is within the 4 h lead:
# early warning (24 h), notification (72 h), final report (72 h + 30 days).
PHASES = (timedelta(hours=21), timedelta(hours=69), timedelta(days=40))


class Clock:
    """One clock for every desk of the test, moved forward phase by phase."""

    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(timezone.utc) + self.ahead


def desk_partitions(app: StreamApp) -> frozenset[int]:
    return frozenset(tp.partition for tp in app.app.consumer.assignment() if tp.topic == "douane.incidents")


async def settled(apps: list[StreamApp]) -> None:
    """The running workers split the incident partitions between them, and the split holds for 3 s."""
    def split():
        parts = tuple(desk_partitions(app) for app in apps)
        whole = all(parts) and sum(map(len, parts)) == PARTITIONS and len(frozenset().union(*parts)) == PARTITIONS
        judged = sum(len(app.judge.assignment()) for app in apps) == PARTITIONS
        return parts if whole and judged else None

    await steady(split, "the workers never settled on a split of the partitions", timeout=90.0)


def table_sizes(apps: list[StreamApp], unique: str) -> list[int]:
    """How many of the test's incidents each worker holds."""
    return [sum(1 for s in held(app) if unique in s["tenant"]) for app in apps]


def held(app: StreamApp) -> list[dict]:
    ledger = getattr(app.desk, "ledger", None)  # the code before the ledger: the table is what the desk reads
    return ledger.states() if ledger is not None else [s for _, s in app.desk.table.items() if s]


async def phase(slack, unique: str, clock: Clock, ahead: timedelta, label: str, apps: list[StreamApp]) -> None:
    """Move the clock; wait until every incident has had the reminder of ``label``."""
    clock.ahead = ahead
    started = time.monotonic()

    def done() -> int:
        return sum(1 for (_, text) in reminders(slack, unique) if label in text)

    try:
        await until(lambda: done() >= INCIDENTS, timeout=60, what=f"{label} reminders")
    except AssertionError:
        raise AssertionError(f"{done()} of {INCIDENTS} {label} reminders; incidents in each worker's table: "
                             f"{table_sizes(apps, unique)}, partitions {[sorted(desk_partitions(a)) for a in apps]}"
                             ) from None
    logger.info("%s: every reminder after %.1f s", label, time.monotonic() - started)


async def test_each_reminder_once_when_a_worker_leaves_and_another_joins(kafka_bootstrap, unique, slack) -> None:
    group, clock = f"rebalance-{unique}", Clock()
    tenants = [f"shop-{unique}-{i:03d}" for i in range(INCIDENTS)]

    def worker() -> StreamApp:
        app = signal_app(kafka_bootstrap, group, slack)
        app.desk.clock = clock
        return app

    one, two, three = worker(), worker(), worker()
    async with contextlib.AsyncExitStack() as stack:
        workers = {}
        for app in (one, two):
            workers[app] = await stack.enter_async_context(EmbeddedWorker(app.app))
            await workers[app].wait_ready()
        await settled([one, two])
        await asyncio.to_thread(publish, kafka_bootstrap, [e for t in tenants for e in lockouts(t)])
        await until(lambda: sum(table_sizes([one, two], unique)) == INCIDENTS, timeout=60, what="every incident")
        await phase(slack, unique, clock, PHASES[0], LABELS[0], [one, two])

        workers[three] = await stack.enter_async_context(EmbeddedWorker(three.app))  # joins
        await workers[three].wait_ready()
        await settled([one, two, three])
        await phase(slack, unique, clock, PHASES[1], LABELS[1], [one, two, three])

        await workers[two].stop()  # leaves: its partitions move to the two that stay
        await settled([one, three])
        await phase(slack, unique, clock, PHASES[2], LABELS[2], [one, three])
        await asyncio.sleep(5)  # time enough for a late duplicate to show

    seen = reminders(slack, unique)
    repeated = {k: n for k, n in seen.items() if n > 1}
    assert not repeated, f"{len(repeated)} reminders went out more than once, e.g. {next(iter(repeated.items()))}"
    assert Counter(label for _, text in seen for label in LABELS if label in text) == {
        lab: INCIDENTS for lab in LABELS}, "each incident, each of its three deadlines, once"
