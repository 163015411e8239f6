"""A redelivered poll is counted once: the counts Slack shows are those of the distinct findings and signals.

A worker that dies after its table's changelog took a count but before its offsets were
committed gets the same records again from Kafka when it restarts. The tests make that
happen for certain: a worker counts the records and stops, then the group's position on the
topic that feeds the incidents is put back where it was before them, as a crash before the
commit leaves it, and a second worker (same group, table restored from the changelog) starts.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from deploy.standins.slack import SlackStandIn
from douane.contract import TOPICS, Action, ErrorClass, Outcome
from stream import EmbeddedWorker, StreamApp
from stream.alerts import outage_window
from tests.helpers import read_all
from tests.rules.conftest import call
from tests.stream.conftest import publish, until
from tests.stream.test_alerts import alert_app, calls_shown, deepseek_calls, expected_incidents, messages_by_incident

pytestmark = pytest.mark.kafka
LOCKED = Outcome(action=Action.FAILED_OVER, status=403, error_class=ErrorClass.LOCKOUT_403)


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@dataclass
class Case:
    """Records counted by a first worker, then more after the restart, and what the incidents must show."""

    topic: str
    first: list
    later: list
    expected: dict[str, int]  # incident -> calls its message must show in the end
    counted_first: Callable[[StreamApp], bool] = lambda app: True  # the first worker's desk counted ``first``
    records_first: int = 1  # records ``first`` puts on ``topic`` at least
    restored_from: str = "incidents"  # the table whose changelog holds what the first worker had counted


def findings_case(tenant: str) -> Case:
    """40 calls with personal data to DeepSeek counted, then 3 more: four GDPR incidents of 43 calls each."""
    first, later = deepseek_calls(tenant, 40), deepseek_calls(tenant, 3)
    counted = expected_incidents(first)
    return Case(TOPICS.findings.name, first, later, expected_incidents(first + later),
                lambda app: {k: (app.desk.table.get(k) or {}).get("count") for k in counted} == counted)


def lockouts(tenant: str, n: int) -> list:
    calls = [call("api.openai.com", tenant=tenant, feature="content", categories=()) for _ in range(n)]
    return [c.model_copy(update={"outcome": LOCKED}) for c in calls]


def signals_case(tenant: str) -> Case:
    """10 lockouts counted (the outage opens at the third), then 2 more: one NIS2 incident of 12 failed calls."""
    calls, key = lockouts(tenant, 12), outage(tenant)
    return Case(TOPICS.incidents.name, calls[:10], calls[10:], {key: 12},
                lambda app: (app.desk.table.get(key) or {}).get("count") == 10)


def below_threshold_case(tenant: str) -> Case:
    """2 lockouts counted (the threshold is 3: no incident yet), then 1 more: the outage opens at 3, not at 5."""
    calls = lockouts(tenant, 3)
    return Case(TOPICS.incidents.name, calls[:2], calls[2:], {outage(tenant): 3}, records_first=2,
                restored_from="outage-counts")


def outage(tenant: str) -> str:
    return f"{tenant}|nis2.provider-outage|openai|-"


@pytest.mark.parametrize("case", [findings_case, signals_case, below_threshold_case],
                         ids=["findings", "signals", "signals-below-the-threshold"])
async def test_a_redelivered_poll_does_not_double_the_counts_slack_shows(kafka_bootstrap, unique, slack,
                                                                         case) -> None:
    tenant, group = f"shop-{unique}", f"alerts-{unique}"
    case = case(tenant)
    before = await asyncio.to_thread(_ends, kafka_bootstrap, case.topic)
    first = alert_app(kafka_bootstrap, group, slack)
    async with EmbeddedWorker(first.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, case.first)
        await until(lambda: case.counted_first(first), timeout=60, what="the first records counted")
        await _caught_up(kafka_bootstrap, group, before, case.records_first)
    await asyncio.to_thread(_rewind, kafka_bootstrap, group, before)
    kept = await asyncio.to_thread(_kept, kafka_bootstrap, first, case, tenant)

    second = alert_app(kafka_bootstrap, group, slack)
    async with EmbeddedWorker(second.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, case.later)  # behind the redelivered ones
        await until(lambda: all((second.desk.table.get(k) or {}).get("count", 0) >= n
                                for k, n in case.expected.items()), timeout=60, what="the later records counted")
        await _caught_up(kafka_bootstrap, group, before)
        table = {k: second.desk.table[k]["count"] for k in case.expected}
        await until(lambda: _shown(slack, case.expected) == table, timeout=60, what="Slack to show the table's counts")
    assert _shown(slack, case.expected) == case.expected, "each record is counted once, however often Kafka sends it"
    # Every record the restored table had counted is seen as a repeat when it comes again; at least: a rebalance
    # while the second worker starts can hand it the same records once more. A count the changelog had not kept
    # when the first worker stopped is counted again, rightly (the final counts above are exact either way).
    lost = max(0, len(case.first) - min(kept.values())) if kept else 0
    assert second.desk.redelivered >= len(case.first) - lost, \
        f"every record delivered again is seen as such (/metrics); the changelog had kept {kept} at the stop"
    posts = [c for c in slack.ok_calls("chat.postMessage") if tenant in c.args["text"] and "thread_ts" not in c.args]
    assert len(posts) == len(case.expected), "the restarted worker updates the messages, it does not post new ones"


def _shown(slack: SlackStandIn, incidents) -> dict[str, int | None]:
    """The calls each incident's message shows; None for one not posted yet."""
    messages = messages_by_incident(slack)
    return {k: calls_shown(messages[k]) if k in messages else None for k in incidents}


def _kept(bootstrap: str, first: StreamApp, case: Case, tenant: str) -> dict[str, int]:
    """How many of ``case.first`` the first worker's changelog had kept when it stopped, per key: the incidents'
    counts, or (below the threshold, no incident yet) the failed calls in the outage counts."""
    if case.restored_from == "incidents":
        return _changelog_counts(bootstrap, first.desk.table.changelog_topic.get_topic_name(), set(case.expected),
                                 lambda value: value.get("count", 0))
    return _changelog_counts(bootstrap, first.desk.signals.changelog_topic.get_topic_name(), {f"{tenant}|openai"},
                             lambda value: max(outage_window.totals(value, 2**62, 2**62).values(), default=0))


def _changelog_counts(bootstrap: str, topic: str, keys: set[str], count: Callable[[dict], int]) -> dict[str, int]:
    """The count each key's last changelog record holds: what a restarted worker restores. Read up to the
    end offsets taken first, not until the consumer idles (on a busy machine its first fetch can come
    after an idle timeout, and an empty answer would hide a count the changelog lacks)."""
    counts: dict[str, int] = {}
    for record in read_all(bootstrap, topic, timeout=60):
        key = json.loads(record.key) if record.key and record.key[:1] == b'"' else (record.key or b"").decode()
        if key in keys and record.value:
            counts[key] = count(json.loads(record.value) or {})
    return counts


def _ends(bootstrap: str, topic: str) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        return consumer.end_offsets([TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)])
    finally:
        consumer.close()


def _committed(bootstrap: str, group: str, parts: list[TopicPartition]) -> dict[TopicPartition, int]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        return {tp: consumer.committed(tp) or 0 for tp in parts}
    finally:
        consumer.close()


async def _caught_up(bootstrap: str, group: str, before: dict[TopicPartition, int], at_least: int = 1,
                     timeout: float = 180) -> None:
    """Until ``at_least`` records were written since ``before`` and the group has committed all that was
    (the desk's own snapshots included: they go on being written while Slack answers, so on a busy machine
    the commits can take more than a minute to catch up; a CI run timed out at 60 s)."""
    topic = next(iter(before)).topic
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        grown = {tp: end for tp, end in (await asyncio.to_thread(_ends, bootstrap, topic)).items() if end > before[tp]}
        done = await asyncio.to_thread(_committed, bootstrap, group, list(grown))
        if sum(end - before[tp] for tp, end in grown.items()) >= at_least and all(
                done[tp] >= end for tp, end in grown.items()):
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"the group {group} never committed what was written to {topic}")


def _rewind(bootstrap: str, group: str, offsets: dict[TopicPartition, int]) -> None:
    """The group's committed position, as a worker that died before its commit leaves it."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    try:
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in offsets.items()})
    finally:
        consumer.close()
