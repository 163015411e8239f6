"""NIS2 reminders on the real broker: each one exactly once per incident and deadline, across restarts."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from deploy.standins.slack import SlackStandIn
from douane.contract import Action, ErrorClass, Outcome
from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.alerts import SlackNotifier
from tests.rules.conftest import call
from tests.stream.conftest import EXAMPLE_POLICY, publish, until

pytestmark = pytest.mark.kafka
POLICIES = PolicySet([], default=EXAMPLE_POLICY)
LABELS = ("Early warning", "Incident notification", "Final report")
# The desk reads a clock the test sets 40 days ahead: every Art. 23 deadline (24 h, 72 h,
# 72 h + 30 days) of an incident opened now is due, without hours of sleep. The events are
# of now, so Faust's windowed failure counts see them as current.
AHEAD = timedelta(days=40)


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


def lockouts(tenant: str, n: int = 3) -> list:
    locked = Outcome(action=Action.FAILED_OVER, status=403, error_class=ErrorClass.LOCKOUT_403)
    now = datetime.now(timezone.utc)
    return [call("api.openai.com", tenant=tenant, feature="content", categories=())
            .model_copy(update={"outcome": locked, "observed_at": now}) for _ in range(n)]


def signal_app(bootstrap: str, app_id: str, slack: SlackStandIn) -> StreamApp:
    """A worker that only counts provider failures (no GDPR findings), so every message is a NIS2 one."""
    config = StreamConfig(bootstrap, app_id=app_id, start_from="latest", batch_wait=0.05)
    app = StreamApp(config, POLICIES, [], slack=SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url))
    app.desk.clock = lambda: datetime.now(timezone.utc) + AHEAD
    return app


def reminders(slack: SlackStandIn, unique: str) -> Counter:
    """(thread, reminder text) -> how many times Slack received it, in the threads of this test's incidents."""
    calls = slack.ok_calls("chat.postMessage")
    threads = {c.ts for c in calls if "thread_ts" not in c.args and f"shop-{unique}-" in c.args.get("text", "")}
    return Counter((c.args["thread_ts"], c.args["text"]) for c in calls if c.args.get("thread_ts") in threads)


def commands_of_quiet_tenants(bootstrap: str, slack: SlackStandIn, unique: str) -> str:
    """For the tenants without a reminder: what ``douane.incidents`` holds about them (to tell lost work apart)."""
    from kafka import KafkaConsumer

    reminded = {c.args["text"].split("shop-")[1][:14] for c in slack.ok_calls("chat.postMessage")
                if "thread_ts" in c.args and f"shop-{unique}-" in c.args.get("text", "")}
    consumer = KafkaConsumer("douane.incidents", bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             consumer_timeout_ms=3000)
    seen: dict[str, Counter] = {}
    for record in consumer:
        command = json.loads(record.value)
        tenant = command.get("tenant", "")
        if tenant.startswith(f"shop-{unique}-") and tenant[5:] not in reminded:
            seen.setdefault(tenant, Counter())[command["type"] + ":" + command.get("signal", "")] += 1
    consumer.close()
    return f"tenants never reminded, by command: {seen}"


async def test_each_reminder_once_per_incident_and_deadline_across_two_restarts(kafka_bootstrap, unique,
                                                                                slack) -> None:
    tenants = {f"shop-{unique}-{i:03d}" for i in range(100)}
    group = f"reminders-{unique}"
    events = [e for t in sorted(tenants) for e in lockouts(t)]
    # stopped with reminders still going out, twice; the third run finishes the job
    for run, stop_at in enumerate((60, 180, 300)):
        app = signal_app(kafka_bootstrap, group, slack)
        async with EmbeddedWorker(app.app) as worker:
            await worker.wait_ready()
            if run == 0:
                await asyncio.to_thread(publish, kafka_bootstrap, events)
            try:
                await until(lambda: len(reminders(slack, unique)) >= stop_at, timeout=180)
            except AssertionError:
                posted = sum(f"shop-{unique}-" in c.args.get("text", "") and "thread_ts" not in c.args
                             for c in slack.ok_calls("chat.postMessage"))
                raise AssertionError(f"run {run + 1}: {len(reminders(slack, unique))} of {stop_at} reminders, "
                                     f"{posted} incident messages posted; "
                                     f"{commands_of_quiet_tenants(kafka_bootstrap, slack, unique)}") from None
            if run == 2:
                await asyncio.sleep(5)  # time enough for a late duplicate to show
    seen = reminders(slack, unique)
    repeated = {k: n for k, n in seen.items() if n > 1}
    assert not repeated, (f"{len(repeated)} reminders went out more than once "
                          f"({sum(repeated.values())} replies), e.g. {next(iter(repeated.items()))}")
    assert len(seen) == 300, "three deadlines for each of the 100 incidents"
    assert Counter(label for _, text in seen for label in LABELS if label in text) == {lab: 100 for lab in LABELS}

