"""A batch the judge judged again is counted once: the counts Slack shows are those of the distinct calls.

A worker killed after the judge published a batch's findings and signals but before it committed the
batch on ``douane.ai-calls`` leaves the batch to the next worker, which judges it again and publishes the
same findings and signals a second time, as new records with new offsets. The tests make that happen for
certain: a worker judges and counts the calls and stops, then the judge's group position on
``douane.ai-calls`` is put back where it was before them, as a kill before the commit leaves it, and a
second worker (same groups, table restored from the changelog) starts and judges them again.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from aiokafka.partitioner import DefaultPartitioner

from douane.contract import TOPICS
from stream import EmbeddedWorker
from tests.stream.conftest import publish, until
from tests.stream.test_alerts import alert_app
from tests.stream.test_alerts_redelivery import _committed, _ends, _rewind, _shown, findings_case, signals_case

pytestmark = pytest.mark.kafka
CALLS = TOPICS.ai_calls.name


@pytest.fixture
def slack():
    from deploy.standins.slack import SlackStandIn

    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@pytest.mark.parametrize("case", [findings_case, signals_case], ids=["findings", "signals"])
async def test_a_batch_judged_again_does_not_double_the_counts_slack_shows(kafka_bootstrap, unique, slack,
                                                                          case) -> None:
    tenant, group = f"shop-{unique}", f"alerts-{unique}"
    judges, case = f"{group}.judge", case(tenant)
    calls_before = _of_tenant(await asyncio.to_thread(_ends, kafka_bootstrap, CALLS), tenant)
    desk_before = _of_tenant(await asyncio.to_thread(_ends, kafka_bootstrap, case.topic), tenant)
    first = alert_app(kafka_bootstrap, group, slack)
    async with EmbeddedWorker(first.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, case.first)
        await until(lambda: case.counted_first(first), timeout=60, what="the first calls counted")
        await _tenant_caught_up(kafka_bootstrap, judges, calls_before, len(case.first))
    await asyncio.to_thread(_rewind, kafka_bootstrap, judges, calls_before)  # the judge's commit never happened

    second = alert_app(kafka_bootstrap, group, slack)
    async with EmbeddedWorker(second.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, case.later)  # behind the calls judged again
        await until(lambda: all((second.desk.table.get(k) or {}).get("count", 0) >= n
                                for k, n in case.expected.items()), timeout=60, what="the later calls counted")
        await _tenant_caught_up(kafka_bootstrap, judges, calls_before, len(case.first) + len(case.later))
        await _tenant_caught_up(kafka_bootstrap, group, desk_before)  # the desk read all that was published again
        table = {k: second.desk.table[k]["count"] for k in case.expected}
        await until(lambda: _shown(slack, case.expected) == table, timeout=60, what="Slack to show the table's counts")
    assert _shown(slack, case.expected) == case.expected, "each call is counted once, however often it is judged"
    assert second.judge.judged >= len(case.first) + len(case.later), "the second worker judged the first calls again"
    assert second.desk.redelivered >= len(case.first), "every record published again is seen as such (/metrics)"


def _of_tenant(ends: dict, tenant: str) -> dict:
    """The partition of ``ends`` that holds the tenant's records (all are keyed by tenant): what other tests
    leave on the other partitions is never read by this test's groups, so never committed by them."""
    parts = sorted(tp.partition for tp in ends)
    mine = DefaultPartitioner()(tenant.encode(), parts, parts)
    return {tp: end for tp, end in ends.items() if tp.partition == mine}


async def _tenant_caught_up(bootstrap: str, group: str, before: dict, at_least: int = 1,
                            timeout: float = 180) -> None:
    """Until ``at_least`` records were written to the tenant's partition since ``before`` and ``group`` has
    committed all that was (the desk's own records go on being written while Slack answers, so the commits
    can take more than a minute to catch up: a CI run timed out at 60 s, as test_alerts_redelivery's did)."""
    (tp, start), = before.items()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        end = (await asyncio.to_thread(_ends, bootstrap, tp.topic))[tp]
        done = (await asyncio.to_thread(_committed, bootstrap, group, [tp]))[tp]
        if end - start >= at_least and done >= end:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"the group {group} never committed what was written to {tp}")
