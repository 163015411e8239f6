"""One shop's traffic over several stream workers: real broker, the gateway's outbox, real Faust tables."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter

import pytest

from collector.outbox import Outbox
from stream import CountingStage, EmbeddedWorker, StreamApp
from tests.stream.conftest import steady, until
from tests.stream.test_alerts import (alert_app, calls_shown, deepseek_calls, expected_incidents,  # noqa: F401
                                     messages_by_incident, slack)

pytestmark = pytest.mark.kafka
WORKERS = 3
PARTITIONS = 6


async def test_one_tenant_spreads_over_three_workers_and_each_incident_opens_once(
        kafka_bootstrap, unique, slack, tmp_path) -> None:
    tenant = f"shop-{unique}"
    events = deepseek_calls(tenant, 60)
    expected = expected_incidents(events)
    apps = [alert_app(kafka_bootstrap, f"scale-{unique}", slack) for _ in range(WORKERS)]
    judged = [CountingStage() for _ in apps]
    for app, counter in zip(apps, judged):
        app.stages.append(counter)
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await (await stack.enter_async_context(EmbeddedWorker(app.app))).wait_ready()
        await _settled(apps)
        await asyncio.to_thread(_through_the_gateway, kafka_bootstrap, tmp_path, events)
        await until(lambda: sum(len(c.seen) for c in judged) >= len(events), timeout=90, what="every call judged")
        await until(lambda: set(messages_by_incident(slack)) >= set(expected)
                    and all(calls_shown(messages_by_incident(slack)[k]) == n for k, n in expected.items()),
                    timeout=90, what="every incident with its final count")
        tables = [{k for k, state in app.desk.table.items() if state and state["tenant"] == tenant} for app in apps]
    times = Counter(i.event.event_id for c in judged for i in c.seen)
    assert set(times) == {e.event_id for e in events} and set(times.values()) == {1}, "each call judged once"
    assert all(c.seen for c in judged), f"every worker judges part of the shop: {[len(c.seen) for c in judged]}"
    posts = [c for c in slack.ok_calls("chat.postMessage") if unique in c.args["text"]]
    assert len(posts) == len(expected), "each incident opened and posted once"
    assert sorted(k for t in tables for k in t) == sorted(expected), "each incident in one worker's table"


def _through_the_gateway(bootstrap: str, tmp_path, events) -> None:
    """Publish as the gateway does: the outbox spools each event, then sends it to douane.ai-calls."""
    outbox = Outbox(bootstrap, tmp_path / "spool")
    try:
        for future in [outbox.emit(e) for e in events]:
            future.result(timeout=30)
        deadline = time.monotonic() + 60
        while outbox.published < len(events):
            assert time.monotonic() < deadline, f"the outbox published {outbox.published} of {len(events)}"
            time.sleep(0.05)
    finally:
        outbox.close()


async def _settled(apps: list[StreamApp]) -> None:
    """Every worker judges some partitions and owns some incident partitions, together all of them, and the
    split stays put for 3 s.

    The groups start at the latest offset: records published while a partition changes hands
    before any offset was committed would be skipped, so the test waits for calm.
    """
    def split() -> tuple[tuple[frozenset[int], ...], tuple[frozenset[int], ...]] | None:
        judging = tuple(frozenset(tp.partition for tp in app.judge.assignment()) for app in apps)
        desks = tuple(frozenset(tp.partition for tp in app.app.consumer.assignment() if tp.topic == "douane.findings")
                      for app in apps)
        return (judging, desks) if _shared(judging) and _shared(desks) else None

    await steady(split, "the workers never settled on a split of the partitions", timeout=90.0)


def _shared(split: tuple[frozenset[int], ...]) -> bool:
    """Each worker holds some partitions, no two the same, and together all of them."""
    return all(split) and sum(len(s) for s in split) == PARTITIONS and len(frozenset().union(*split)) == PARTITIONS
