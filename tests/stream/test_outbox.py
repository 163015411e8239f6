"""Slack delivery against a local Slack Web API stand-in, through the official slack-sdk client."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from deploy.standins.slack import SlackStandIn
from douane.contract import Basis, Decision, Finding, Severity, Verdict
from douane.ids import uuid7
from rules.policy import AlertRouting
from stream.alerts import incidents as inc
from stream.alerts.outbox import Outbox
from stream.alerts.slack import SlackNotifier

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc)
ROUTING = AlertRouting(channels={Severity.CRITICAL: "C-CRITICAL", Severity.HIGH: "C-ALERTS",
                                 Severity.MEDIUM: "C-REVIEW"}, default_channel="C-ALERTS", digest_after=3,
                       update_every_seconds=0)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def outbox(slack: SlackStandIn, clock: Clock, routing: AlertRouting = ROUTING) -> Outbox:
    notifier = SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url)
    return Outbox(notifier, lambda tenant: routing, lambda tenant: timedelta(hours=4), monotonic=clock)


def incident(rule: str = "chapter-v.no-basis", severity: Severity = Severity.HIGH, provider: str = "deepseek",
             n: int = 1, tenant: str = "shop-berlin") -> dict:
    state = None
    for i in range(n):
        verdict = Verdict(event_id=uuid7(), tenant=tenant, decided_at=NOW, decision=Decision.UNAUTHORISED,
                          basis=Basis.NONE, provider=provider, destinations=("CN",))
        finding = Finding(rule_id=rule, title="Unauthorised transfer", articles=("GDPR Art. 44",), severity=severity,
                          explanation="Personal data goes to CN.", remediation="Redirect it.")
        state = inc.record_finding(state, verdict, finding, NOW + timedelta(minutes=i))
    return state


def apply(states: list[dict], commands: list[dict]) -> list[dict]:
    by_id = {s["id"]: s for s in states}
    for c in commands:
        if c["type"] == "delivered":
            by_id[c["incident"]] = dict(inc.delivered(by_id[c["incident"]], c["version"], c["channel"], c["ts"]),
                                        in_digest=c["in_digest"])
        elif c["type"] == "reminded":
            by_id[c["incident"]] = inc.reminded(by_id[c["incident"]], c["clock"])
    return list(by_id.values())


async def test_one_message_per_incident_updated_in_place(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident(n=3)
    states = apply([state], await box.flush([state], NOW))
    assert len(slack.ok_calls("chat.postMessage")) == 1
    assert await box.flush(states, NOW) == [], "nothing new, nothing sent"

    grown = inc.record_finding(states[0], Verdict(event_id=uuid7(), tenant="shop-berlin", decided_at=NOW,
                                                  decision=Decision.UNAUTHORISED, basis=Basis.NONE,
                                                  provider="deepseek", destinations=("CN",)),
                               Finding(rule_id="chapter-v.no-basis", title="t", articles=("a",),
                                       severity=Severity.HIGH, explanation="e", remediation="r"), NOW)
    states = apply([grown], await box.flush([grown], NOW))
    updates = slack.ok_calls("chat.update")
    assert len(slack.ok_calls("chat.postMessage")) == 1 and len(updates) == 1
    assert updates[0].args["ts"] == states[0]["ts"]
    fields = updates[0].args["blocks"][1]["fields"]
    assert {"type": "mrkdwn", "text": "*Calls*\n4"} in fields
    assert "Acknowledge" in str(updates[0].args["blocks"][-1])


async def test_severity_routes_to_channels(slack, clock) -> None:
    box = outbox(slack, clock)
    states = [incident("r-critical", Severity.CRITICAL), incident("r-medium", Severity.MEDIUM),
              incident("r-low", Severity.LOW)]
    await box.flush(states, NOW)
    channels = {c.args["text"].split("]")[0]: c.args["channel"] for c in slack.ok_calls("chat.postMessage")}
    assert channels == {"[CRITICAL": "C-CRITICAL", "[MEDIUM": "C-REVIEW", "[LOW": "C-ALERTS"}


async def test_rate_limit_honours_retry_after_and_delivers_later(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident()
    slack.rate_limit(1, retry_after=30)
    assert await box.flush([state], NOW) == []
    calls = len(slack.calls)
    assert await box.flush([state], NOW) == [], "no call before Retry-After has passed"
    assert len(slack.calls) == calls
    clock.t += 31
    [command] = await box.flush([state], NOW)
    assert command["type"] == "delivered" and command["version"] == state["version"]
    assert [c.status for c in slack.calls] == [429, 200]


async def test_an_outage_keeps_the_alert_pending_until_slack_is_back(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident()
    slack.down = True
    for _ in range(3):
        assert await box.flush([state], NOW) == []
        clock.t += 600
    assert box.pending_errors[state["id"]] == "HTTP 503"
    slack.down = False
    clock.t += 600
    [command] = await box.flush([state], NOW)
    assert command["type"] == "delivered"
    assert state["id"] not in box.pending_errors


async def test_a_refused_channel_stays_pending_not_dropped(slack, clock) -> None:
    routing = AlertRouting(default_channel="C-DOES-NOT-EXIST")
    box = outbox(slack, clock, routing)
    state = incident()
    assert await box.flush([state], NOW) == []
    assert box.pending_errors[state["id"]] == "channel_not_found"
    slack.channels.add("C-DOES-NOT-EXIST")
    clock.t += 601
    assert [c["type"] for c in await box.flush([state], NOW)] == ["delivered"]


async def test_repeated_incidents_roll_into_one_digest(slack, clock) -> None:
    box = outbox(slack, clock)
    states = [incident(f"rule-{i}", provider=f"p{i}") for i in range(6)]
    states = apply(states, await box.flush(states, NOW))
    posts = slack.ok_calls("chat.postMessage")
    assert len(posts) == 4, "three incident messages, then one digest"
    digest_members = [s for s in states if s["in_digest"]]
    digest_ts = digest_members[0]["ts"]
    assert len(digest_members) == 3 and {s["ts"] for s in digest_members} == {digest_ts}
    last = slack.messages[("C-ALERTS", digest_ts)]
    assert last["text"] == "Douane digest for shop-berlin: 3 incidents"

    grown = inc.record_signal(digest_members[0], NOW)
    await box.flush(apply(states, []) + [grown], NOW)
    assert slack.ok_calls("chat.update")[-1].args["ts"] == digest_ts, "a digest member updates the digest"


async def test_nis2_reminders_reply_in_the_thread_before_each_deadline(slack, clock) -> None:
    box = outbox(slack, clock)
    state = inc.open_nis2("shop-berlin", "openai", "lockout", 3, 15, NOW)
    states = apply([state], await box.flush([state], NOW))
    assert [c["type"] for c in await box.flush(states, NOW)] == []
    later = NOW + timedelta(hours=21)
    commands = await box.flush(states, later)
    assert commands == [{"type": "reminded", "incident": state["id"], "tenant": "shop-berlin",
                         "clock": "early_warning"}]
    reply = slack.ok_calls("chat.postMessage")[-1]
    assert reply.args["thread_ts"] == states[0]["ts"] and "Early warning" in reply.args["text"]
    states = apply(states, commands)
    assert await box.flush(states, later) == [], "each reminder once"


async def test_acknowledged_incident_shows_who_took_it(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident()
    states = apply([state], await box.flush([state], NOW))
    acked = inc.acknowledged(states[0], "camille", NOW)
    await box.flush([acked], NOW)
    update = slack.ok_calls("chat.update")[-1]
    assert "Acknowledged by camille" in str(update.args["blocks"])
    assert "Acknowledge\"" not in str(update.args["blocks"]) and "button" not in str(update.args["blocks"])


async def test_growth_before_the_delivery_is_recorded_updates_instead_of_posting_again(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident(n=1)
    await box.flush([state], NOW)  # the "delivered" command is still on its way to the table
    grown = incident(n=4)
    grown = {**grown, "id": state["id"]}
    await box.flush([grown], NOW)
    assert len(slack.ok_calls("chat.postMessage")) == 1
    assert len(slack.ok_calls("chat.update")) == 1


async def test_count_updates_are_coalesced_but_acknowledgements_go_out_at_once(slack, clock) -> None:
    routing = ROUTING.model_copy(update={"update_every_seconds": 10})
    box = outbox(slack, clock, routing)
    state = incident(n=1)
    states = apply([state], await box.flush([state], NOW))
    grown = {**incident(n=5), "id": state["id"], "ts": states[0]["ts"], "channel": states[0]["channel"],
             "delivered_version": states[0]["delivered_version"]}
    assert await box.flush([grown], NOW) == [], "a count change waits for the interval"
    acked = inc.acknowledged(grown, "lena", NOW)
    assert [c["type"] for c in await box.flush([acked], NOW)] == ["delivered"], "an acknowledgement does not wait"
    clock.t += 11
    later = inc.record_signal(acked, NOW)
    assert [c["type"] for c in await box.flush([later], NOW)] == ["delivered"]
    assert len(slack.ok_calls("chat.update")) == 2
