"""The judge pauses Python's cyclic collector over a batch and always hands it back as it found it."""

from __future__ import annotations

import gc

import pytest

from douane.contract import TOPICS, encode
from douane.contract.deadletter import Origin
from collector import TrafficGenerator
from stream.pipeline import Raw, audit_batch, collector_paused
from stream.policies import PolicySet
from tests.stream.store_helpers import POLICIES


@pytest.fixture
def collector_on():
    was = gc.isenabled()
    gc.enable()
    yield
    (gc.enable if was else gc.disable)()


def test_paused_within_and_on_again_after(collector_on) -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_on_again_when_the_batch_fails(collector_on) -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("a stage failed")
    assert gc.isenabled()


def test_left_off_when_someone_turned_it_off(collector_on) -> None:
    gc.disable()
    with collector_paused():
        pass
    assert not gc.isenabled(), "a process that runs without the collector keeps running without it"


def test_a_batch_judged_with_the_collector_paused_is_judged_the_same(collector_on) -> None:
    events = TrafficGenerator(("shop-berlin",), seed=3).events(200)
    raws = [Raw(None, encode(e), Origin(TOPICS.ai_calls.name, 0, i)) for i, e in enumerate(events)]
    judged = audit_batch(POLICIES, raws)
    assert gc.isenabled()
    fresh = PolicySet(POLICIES.policies, POLICIES.registry)
    assert [i.verdict for i in judged.items] == [fresh.audit(e).verdict for e in events]
    assert not judged.letters


def test_a_batch_is_walked_by_the_collector_once_at_most(collector_on) -> None:
    """A batch of 1,000 calls once set off a dozen collections, each walking the batch (~12 % of the judge's CPU);
    now none runs while it is judged, and at most one after it, as the judged batch is handed back."""
    events = TrafficGenerator(("shop-berlin",), seed=4).events(1000)
    raws = [Raw(None, encode(e), Origin(TOPICS.ai_calls.name, 0, i)) for i, e in enumerate(events)]
    audit_batch(POLICIES, raws)  # the engine's memo warm, as in a running worker
    started: list[int] = []

    def seen(phase: str, info: dict) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.callbacks.append(seen)
    try:
        judged = audit_batch(POLICIES, raws)
    finally:
        gc.callbacks.remove(seen)
    assert len(judged.items) == 1000
    assert len(started) <= 1, f"collections of generations {started} ran for one batch (one may follow it)"
