"""The outbox's memories stay bounded: what can no longer change a decision is forgotten (review note:
``_digests``, ``_asked`` and ``_last_update`` grew with every incident ever seen)."""

from __future__ import annotations

from datetime import timedelta

from douane.contract import Severity
from rules.policy import AlertRouting
from stream.alerts import incidents as inc
from stream.alerts.outbox import ASK_AGAIN, Outbox
from stream.alerts.slack import SlackNotifier
from tests.stream.test_outbox import NOW, ROUTING, apply, incident, outbox
from tests.stream.test_outbox import clock, slack  # noqa: F401 - the outbox tests' fixtures

MANY = 40


def many(severity: Severity = Severity.HIGH) -> list[dict]:
    return [incident(f"rule-{i}", severity, provider=f"p{i}") for i in range(MANY)]


async def test_requests_are_forgotten_once_they_may_be_asked_again(slack, clock) -> None:
    box = Outbox(SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url), lambda t: ROUTING,
                 lambda t: timedelta(hours=4), monotonic=clock, quiet_period=lambda t: timedelta(minutes=30))
    states = many()
    states = apply(states, await box.flush(states, NOW))
    asks = await box.flush(states, NOW + timedelta(minutes=31))
    assert len(asks) == MANY and box.held()["asked"] == MANY
    clock.t += ASK_AGAIN  # resolved meanwhile (by another worker, say): these states are never passed again
    await box.flush([], NOW + timedelta(minutes=32))
    assert box.held()["asked"] == 0


async def test_coalescing_is_forgotten_once_its_interval_ran_out(slack, clock) -> None:
    box = outbox(slack, clock, ROUTING.model_copy(update={"update_every_seconds": 10.0}))
    states = many()
    states = apply(states, await box.flush(states, NOW))
    assert box.held()["last_update"] == MANY
    grown = [inc.record_signal(s, NOW) for s in states]
    clock.t += 9
    assert await box.flush(grown, NOW) == [], "count updates still wait"
    clock.t += 1
    await box.flush([], NOW)
    assert box.held()["last_update"] == 0
    assert len(await box.flush(grown, NOW)) == MANY, "and go out once the interval ran out, as before"


async def test_waits_are_forgotten_once_over(slack, clock) -> None:
    box = outbox(slack, clock, AlertRouting(default_channel="C-GONE", update_every_seconds=0))
    states = many()
    assert await box.flush(states, NOW) == [] and box.held()["not_before"] == MANY
    clock.t += 601
    await box.flush([], NOW)
    assert box.held()["not_before"] == 0


async def test_a_digest_whose_every_line_is_resolved_is_forgotten(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply(many(Severity.LOW), [])
    states = apply(states, await box.flush(states, NOW))
    members = [s for s in states if s["in_digest"]]
    assert len(members) == MANY - ROUTING.digest_after and box.held()["digests"] == 1
    done = [inc.resolved(s, NOW) for s in members[:-1]]
    states = apply(done, await box.flush(done, NOW))
    assert box.held()["digests"] == 1, "one line still open: the digest may change again"
    last = inc.resolved(members[-1], NOW)
    await box.flush([last], NOW)
    digest = slack.messages[(members[-1]["channel"], members[-1]["ts"])]
    assert f"{MANY - ROUTING.digest_after} resolved" in str(digest["blocks"]), "every line shows its resolution"
    assert box.held()["digests"] == 0
