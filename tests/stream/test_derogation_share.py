"""Observed Art. 49 use counted over every worker: the judge keys calls by event id, so one tenant's
calls land on several workers, and each must judge with the tenant's total, not its own share.

Two workers (a PolicySet each, as each judge holds one) share the real broker; one shop's checkout
calls to DeepSeek (Art. 49(1)(b), declared occasional, limit 10 in 30 days) go to them in turn.
"""

from __future__ import annotations

import pytest

from douane.contract import Basis, Decision
from stream import PolicySet
from stream.derogation_share import SharedUse, UseExchange
from tests.rules.conftest import make_policy
from tests.stream.conftest import until
from tests.stream.test_derogation_use import LIMIT, checkout

def judged(verdicts) -> list[tuple[Decision, Basis]]:
    return [(v.decision, v.basis) for v in verdicts]


@pytest.mark.kafka
async def test_two_workers_enforce_the_limit_on_the_tenants_total(kafka_bootstrap: str, unique: str) -> None:
    tenant = f"shop-{unique}"
    workers = [PolicySet([make_policy(tenants=[tenant])]) for _ in range(2)]
    exchanges = []
    for n, policies in enumerate(workers):
        policies.derogation_use = SharedUse(worker=f"{unique}-{n}")
        exchanges.append(UseExchange(kafka_bootstrap, policies.derogation_use, topic=f"douane.derogation-uses-{unique}"))
    for exchange in exchanges:
        await exchange.start()
    try:
        verdicts, sent = [], [0, 0]
        for m in range(LIMIT + 5):
            n = m % 2  # keyed by event id: the calls alternate between the workers
            verdicts.append(workers[n].audit(checkout(tenant, m)).verdict)
            sent[n] += await exchanges[n].send()
            other = workers[1 - n].derogation_use
            await until(lambda: other.absorbed >= sent[n], timeout=30, what="the other worker to read the use")
    finally:
        for exchange in exchanges:
            await exchange.stop()
    assert judged(verdicts[:LIMIT]) == [(Decision.ALLOWED, Basis.DEROGATION_49_1_B)] * LIMIT
    assert judged(verdicts[LIMIT:]) == [(Decision.UNAUTHORISED, Basis.NONE)] * 5, "the 11th call of the tenant"
    assert all("chapter-v.derogation-systematic" in {f.rule_id for f in v.findings} for v in verdicts[LIMIT:])


@pytest.mark.kafka
async def test_a_worker_that_starts_counts_the_uses_already_sent(kafka_bootstrap: str, unique: str) -> None:
    """A worker started later (or restarted) reads the window's uses back: the 11th call is still the 11th."""
    tenant, topic = f"shop-{unique}", f"douane.derogation-uses-{unique}"
    first = PolicySet([make_policy(tenants=[tenant])])
    first.derogation_use = SharedUse(worker=f"{unique}-a")
    sender = UseExchange(kafka_bootstrap, first.derogation_use, topic=topic)
    await sender.start()
    try:
        allowed = judged(first.audit(checkout(tenant, m)).verdict for m in range(LIMIT))
        await sender.send()
    finally:
        await sender.stop()
    later = PolicySet([make_policy(tenants=[tenant])])
    later.derogation_use = SharedUse(worker=f"{unique}-b")
    reader = UseExchange(kafka_bootstrap, later.derogation_use, topic=topic)
    await reader.start()
    try:
        await until(lambda: later.derogation_use.absorbed >= LIMIT, timeout=30, what="the uses to be read back")
        eleventh = later.audit(checkout(tenant, LIMIT)).verdict
    finally:
        await reader.stop()
    assert allowed == [(Decision.ALLOWED, Basis.DEROGATION_49_1_B)] * LIMIT
    assert judged([eleventh]) == [(Decision.UNAUTHORISED, Basis.NONE)]


def test_a_call_counted_twice_is_one_use() -> None:
    """A call judged again after a rebalance (and its use sent again) is not a second call."""
    use = SharedUse(worker="w")
    policies = PolicySet([make_policy(tenants=["shop-twice"])])
    policies.derogation_use = use
    event = checkout("shop-twice")
    for _ in range(LIMIT + 3):
        verdict = policies.audit(event).verdict
    assert judged([verdict]) == [(Decision.ALLOWED, Basis.DEROGATION_49_1_B)]
    assert len(use.drain()) == 1, "announced once"



@pytest.mark.kafka
async def test_two_stream_workers_enforce_the_limit_on_the_tenants_total(kafka_bootstrap: str, unique: str) -> None:
    """The real workers: one shop's calls keyed by event id (as the gateway keys them) land on both
    judges; each call is published once the one before was judged, so no use is in flight."""
    import asyncio
    import contextlib

    from douane.contract.codec import encode
    from stream import CountingStage, EmbeddedWorker, StreamApp, StreamConfig
    from tests.stream.conftest import publish, steady

    tenant = f"shop-{unique}"
    apps = [StreamApp(StreamConfig(kafka_bootstrap, app_id=f"uses-{unique}", start_from="latest"),
                      PolicySet([make_policy(tenants=[tenant])]), []) for _ in range(2)]
    counters = [CountingStage() for _ in apps]
    for app, counter in zip(apps, counters):
        app.stages.append(counter)
    events = [checkout(tenant, m) for m in range(LIMIT + 5)]
    async with contextlib.AsyncExitStack() as stack:
        for app in apps:
            await (await stack.enter_async_context(EmbeddedWorker(app.app))).wait_ready()
        await steady(lambda: _split(apps), "the two judges never settled on a split", timeout=90)
        for n, event in enumerate(events):
            await asyncio.to_thread(publish, kafka_bootstrap, [(str(event.event_id), encode(event))])
            await until(lambda: sum(len(c.seen) for c in counters) > n, timeout=60, what=f"call {n + 1} judged")
    seen = {i.event.event_id: i.verdict for c in counters for i in c.seen}
    assert all(c.seen for c in counters), f"both workers judge the shop: {[len(c.seen) for c in counters]}"
    verdicts = [seen[e.event_id] for e in events]
    assert judged(verdicts[:LIMIT]) == [(Decision.ALLOWED, Basis.DEROGATION_49_1_B)] * LIMIT
    assert judged(verdicts[LIMIT:]) == [(Decision.UNAUTHORISED, Basis.NONE)] * 5, "the tenant's 11th call"



def _split(apps) -> tuple[frozenset[int], ...] | None:
    split = tuple(frozenset(tp.partition for tp in app.judge.assignment()) for app in apps)
    return split if all(split) and len(frozenset().union(*split)) == sum(len(s) for s in split) else None
