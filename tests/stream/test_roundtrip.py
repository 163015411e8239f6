"""Integration on the real broker: kafka-python publishes, a Faust agent reads; bad input goes to the DLQ."""

from __future__ import annotations

import asyncio

import pytest

from collector import TrafficGenerator
from douane.contract import AICallEvent, encode
from douane.contract.fast import to_model
from stream import CountingStage, EmbeddedWorker, PolicySet, StreamApp, StreamConfig, read_headers
from tests.helpers import make_event, read_all
from tests.stream.conftest import EXAMPLE_POLICY, publish, until

pytestmark = pytest.mark.kafka


def _app(bootstrap: str, unique: str, stage, policies: PolicySet | None = None) -> StreamApp:
    policies = policies or PolicySet([], default=EXAMPLE_POLICY)
    # Each test publishes after its worker is ready: start at the end, independent of earlier tests' records.
    return StreamApp(StreamConfig(bootstrap, app_id=f"test-{unique}", start_from="latest"), policies, [stage])


def _of(stage: CountingStage, tenant: str) -> list[AICallEvent]:
    return [to_model(i.event) for i in stage.seen if i.event.tenant == tenant]


async def test_events_from_kafka_python_reach_the_faust_agent_intact(kafka_bootstrap: str, unique: str) -> None:
    tenant = f"shop-{unique}"
    events = TrafficGenerator((tenant,), seed=3).events(50)
    handler = CountingStage()
    stream_app = _app(kafka_bootstrap, unique, handler)
    async with EmbeddedWorker(stream_app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: len(_of(handler, tenant)) >= 50, what="50 events")
    received = _of(handler, tenant)
    assert received == events, "same events, same order: one tenant is one key and one partition"
    assert await _dlq_records(kafka_bootstrap, tenant, 0) == []


async def test_malformed_records_go_to_the_dlq_and_the_stream_goes_on(kafka_bootstrap: str, unique: str) -> None:
    tenant = f"shop-{unique}"
    first, last = make_event(tenant), make_event(tenant)
    broken = [b"{not json", b'{"schema": "douane.ai_call/1"}', b"\xff\xfe\x00", encode(first).replace(b"/1", b"/9")]
    handler = CountingStage()
    stream_app = _app(kafka_bootstrap, unique, handler)
    async with EmbeddedWorker(stream_app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, [first, *[(tenant, b) for b in broken], last])
        await until(lambda: len(_of(handler, tenant)) == 2, what="both valid events")

    assert _of(handler, tenant) == [first, last], "the records after the bad ones are processed"
    letters = await _dlq_records(kafka_bootstrap, tenant, 4)
    assert [r.value for r in letters] == broken, "the DLQ keeps the original bytes, in order"
    reasons = [read_headers(r.headers) for r in letters]
    assert "Invalid JSON" in reasons[0]["douane.dlq.reason"]
    assert "event_id: Field required" in reasons[1]["douane.dlq.reason"]
    assert "schema" in reasons[3]["douane.dlq.reason"]
    assert all(h["douane.dlq.stage"] == "decode" for h in reasons)
    assert all(h["douane.dlq.source"].startswith("douane.ai-calls/") for h in reasons)


class _FailsOn(CountingStage):
    def __init__(self, bad_id) -> None:
        super().__init__()
        self.bad_id = bad_id

    async def handle(self, item) -> None:
        if item.event.event_id == self.bad_id:
            raise RuntimeError("alert sink exploded")
        await super().handle(item)


async def test_a_stage_failure_is_dead_lettered_not_lost(kafka_bootstrap: str, unique: str) -> None:
    tenant = f"shop-{unique}"
    good, bad, after = make_event(tenant), make_event(tenant), make_event(tenant)
    handler = _FailsOn(bad.event_id)
    stream_app = _app(kafka_bootstrap, unique, handler)
    async with EmbeddedWorker(stream_app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, [good, bad, after])
        await until(lambda: len(_of(handler, tenant)) == 2, what="the two good events")

    assert _of(handler, tenant) == [good, after]
    [letter] = await _dlq_records(kafka_bootstrap, tenant, 1)
    assert letter.value == encode(bad)
    headers = read_headers(letter.headers)
    assert headers["douane.dlq.stage"] == "count"
    assert "count failed: RuntimeError: alert sink exploded" in headers["douane.dlq.reason"]


async def test_an_event_of_an_unknown_tenant_is_dead_lettered(kafka_bootstrap: str, unique: str) -> None:
    known, stranger = make_event("shop-berlin"), make_event(f"stranger-{unique}")
    stage = CountingStage()
    stream_app = _app(kafka_bootstrap, unique, stage, PolicySet([EXAMPLE_POLICY]))
    async with EmbeddedWorker(stream_app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, [stranger, known])
        await until(lambda: known.event_id in {i.event.event_id for i in stage.seen}, what="the known tenant's event")
    [letter] = await _dlq_records(kafka_bootstrap, f"stranger-{unique}", 1)
    headers = read_headers(letter.headers)
    assert headers["douane.dlq.stage"] == "evaluate"
    assert f"no policy governs tenant 'stranger-{unique}'" in headers["douane.dlq.reason"]


async def _dlq_records(bootstrap: str, tenant: str, expected: int) -> list:
    found: list = []

    def mine(record) -> bool:
        return record.key == tenant.encode()

    async def enough() -> None:
        nonlocal found
        found = await asyncio.to_thread(read_all, bootstrap, "douane.dlq", 5.0, mine)

    for _ in range(4 if expected == 0 else 40):
        await enough()
        if expected and len(found) >= expected:
            break
        await asyncio.sleep(0.25)
    assert len(found) == expected, f"expected {expected} dead letters for {tenant}, found {len(found)}"
    return sorted(found, key=lambda r: r.offset)
