"""Observed Art. 49 use: the stream counts calls resting on a derogation and the engine judges the stream.

The activity ``checkout`` of the rules tests' policy relies on Art. 49(1)(b) and declares its
transfers occasional; DeepSeek has no safeguard on file, so each call rests on the derogation.
Recital 111 and EDPB Guidelines 2/2018 s. 2.2-2.3: occasional, not a steady stream.
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from douane.contract import Basis, Decision
from stream import CountingStage, EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.derogations import DerogationUse
from tests.rules.conftest import call, make_policy
from tests.stream.conftest import publish, until

LIMIT = 10  # readings.occasional_use.max_calls, the policy's default
T0 = datetime(2026, 11, 21, 12, tzinfo=timezone.utc)


def checkout(tenant: str, minutes: int = 0):
    event = call("api.deepseek.com", feature="checkout", categories=("user.contact.address",), tenant=tenant)
    return event.model_copy(update={"observed_at": T0 + timedelta(minutes=minutes)})


def test_the_count_is_by_the_calls_own_time_within_the_window() -> None:
    use, window = DerogationUse(), timedelta(days=30)
    key = ("shop", "checkout", "deepseek")
    counts = [use.count(key, T0 + timedelta(days=d), window, LIMIT + 1) for d in (0, 1, 2)]
    assert counts == [1, 2, 3]
    assert use.count(key, T0 + timedelta(days=40), window, LIMIT + 1) == 1, "calls older than the window drop out"
    assert use.count(("other", "checkout", "deepseek"), T0, window, LIMIT + 1) == 1, "counted per tenant"
    many = [use.count(key, T0 + timedelta(days=41, seconds=s), window, LIMIT + 1) for s in range(30)]
    assert many[:LIMIT] == list(range(2, LIMIT + 2)), "counting up from the call on day 40"
    assert set(many[LIMIT:]) == {LIMIT + 1}, "capped at keep: the judgment needs no more"


def test_policy_set_judges_the_eleventh_call_a_steady_stream() -> None:
    policies = PolicySet([make_policy(tenants=["shop-steady"])])
    verdicts = [policies.audit(checkout("shop-steady", m)).verdict for m in range(LIMIT + 2)]
    assert {(v.decision, v.basis) for v in verdicts[:LIMIT]} == {(Decision.ALLOWED, Basis.DEROGATION_49_1_B)}
    assert [(v.decision, v.basis) for v in verdicts[LIMIT:]] == [(Decision.UNAUTHORISED, Basis.NONE)] * 2
    assert "chapter-v.derogation-systematic" in {f.rule_id for f in verdicts[LIMIT].findings}


@pytest.mark.kafka
async def test_the_worker_finds_a_steady_stream_on_an_occasional_derogation(kafka_bootstrap: str,
                                                                            unique: str) -> None:
    tenant = f"shop-{unique}"
    policies = PolicySet([make_policy(tenants=[tenant])])
    worker = StreamApp(StreamConfig(kafka_bootstrap, app_id=f"test-{unique}", start_from="latest"), policies, [])
    judged = CountingStage()
    worker.stages.append(judged)
    events = [checkout(tenant, m) for m in range(LIMIT + 5)]
    async with EmbeddedWorker(worker.app) as w:
        await w.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: sum(i.event.tenant == tenant for i in judged.seen) >= len(events), timeout=60,
                    what="the worker to judge every call")
    seen = {i.event.event_id: i.verdict for i in judged.seen if i.event.tenant == tenant}
    verdicts = [seen[e.event_id] for e in events]  # in the order published: one partition per tenant
    occasional, steady = verdicts[:LIMIT], verdicts[LIMIT:]
    assert all((v.decision, v.basis) == (Decision.ALLOWED, Basis.DEROGATION_49_1_B) for v in occasional)
    assert all((v.decision, v.basis) == (Decision.UNAUTHORISED, Basis.NONE) for v in steady)
    systematic = [f for v in steady for f in v.findings if f.rule_id == "chapter-v.derogation-systematic"]
    assert len(systematic) == len(steady)
    assert "than 10 calls of this activity" in systematic[0].explanation and "observed" in systematic[0].explanation
