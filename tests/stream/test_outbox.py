"""Slack delivery against a local Slack Web API stand-in, through the official slack-sdk client."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from deploy.standins.slack import SlackStandIn
from douane.contract import Basis, Decision, Finding, Severity, Verdict
from douane.ids import uuid7
from rules.policy import AlertRouting
from rules.registry import load_registry
from stream.alerts import blocks
from stream.alerts import incidents as inc
from stream.alerts.outbox import Outbox
from stream.alerts.places import seat_only
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


async def test_repeated_low_and_medium_incidents_roll_into_one_digest_with_buttons(slack, clock) -> None:
    box = outbox(slack, clock)
    states = [incident(f"rule-{i}", Severity.LOW, provider=f"p{i}") for i in range(6)]
    states = apply(states, await box.flush(states, NOW))
    posts = slack.ok_calls("chat.postMessage")
    assert len(posts) == 4, "three incident messages, then one digest"
    digest_members = [s for s in states if s["in_digest"]]
    digest_ts = digest_members[0]["ts"]
    assert len(digest_members) == 3 and {s["ts"] for s in digest_members} == {digest_ts}
    last = slack.messages[("C-ALERTS", digest_ts)]
    assert last["text"] == "Douane digest for shop-berlin: 3 incidents, 3 calls (low or medium severity)"
    buttons = [b["accessory"] for b in last["blocks"] if "accessory" in b]
    assert sorted(b["value"] for b in buttons) == sorted(s["id"] for s in digest_members), \
        "each digest line carries the Acknowledge button of its incident"
    assert len({b["action_id"] for b in buttons}) == 3 and all(b["action_id"].startswith("douane.ack")
                                                               for b in buttons)

    grown = inc.record_signal(digest_members[0], NOW)
    await box.flush(apply(states, []) + [grown], NOW)
    assert slack.ok_calls("chat.update")[-1].args["ts"] == digest_ts, "a digest member updates the digest"


async def test_a_burst_of_high_and_critical_incidents_gets_one_message_each(slack, clock) -> None:
    box = outbox(slack, clock)
    burst = [incident(f"rule-{i}", Severity.CRITICAL if i % 2 else Severity.HIGH, provider=f"p{i}")
             for i in range(12)]
    states = apply(burst, await box.flush(burst, NOW))
    assert not any(s["in_digest"] for s in states), "no high or critical incident is hidden in a digest"
    posts = slack.ok_calls("chat.postMessage")
    assert len(posts) == 12 and all("digest" not in p.args["text"] for p in posts)
    assert all("Acknowledge" in str(p.args["blocks"]) for p in posts)


async def test_a_digest_member_that_becomes_high_gets_its_own_message(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply([incident(f"rule-{i}", Severity.MEDIUM, provider=f"p{i}") for i in range(4)], [])
    states = apply(states, await box.flush(states, NOW))
    member = next(s for s in states if s["in_digest"])
    worse = inc.record_finding(member, Verdict(event_id=uuid7(), tenant="shop-berlin", decided_at=NOW,
                                               decision=Decision.UNAUTHORISED, basis=Basis.NONE,
                                               provider=member["provider"], destinations=("CN",)),
                               Finding(rule_id=member["rule_id"], title="t", articles=("a",),
                                       severity=Severity.CRITICAL, explanation="e", remediation="r"), NOW)
    [command] = await box.flush([worse], NOW)
    assert command["in_digest"] is False and command["ts"] != member["ts"]
    assert slack.messages[("C-CRITICAL", command["ts"])]["text"].startswith("[CRITICAL]")


async def test_nis2_reminders_are_asked_for_then_reply_in_the_thread(slack, clock) -> None:
    box = outbox(slack, clock)
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, NOW)
    states = apply([state], await box.flush([state], NOW))
    assert [c["type"] for c in await box.flush(states, NOW)] == []
    later = NOW + timedelta(hours=21)
    commands = await box.flush(states, later)
    assert commands == [{"type": "remind", "incident": state["id"], "tenant": "shop-berlin",
                         "clock": "early_warning", "at": later.isoformat()}]
    assert await box.flush(states, later) == [], "asked once until it is applied, not on every pass"
    assert await box.remind(states[0], "early_warning")
    reply = slack.ok_calls("chat.postMessage")[-1]
    assert reply.args["thread_ts"] == states[0]["ts"] and "Early warning" in reply.args["text"]
    assert "openai" in reply.args["text"] and "|" not in reply.args["text"], "no raw incident key"
    states = apply(states, [{"type": "reminded", "incident": state["id"], "clock": "early_warning"}])
    clock.t += 60
    assert await box.flush(states, later) == [], "a reminder recorded is never asked for again"


async def test_a_reminder_slack_already_has_is_not_sent_again_after_a_kill(slack, clock) -> None:
    """A worker killed after Slack took a reminder but before the table recorded it: the next owner asks
    again, reads the thread, finds the reminder and records it without a second reply."""
    box = outbox(slack, clock)
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, NOW)
    states = apply([state], await box.flush([state], NOW))
    assert await box.remind(states[0], "early_warning")
    replies = [c for c in slack.ok_calls("chat.postMessage") if "thread_ts" in c.args]
    assert len(replies) == 1
    grown = inc.record_signal(states[0], NOW, kinds=("lockout",))  # the title changed meanwhile
    restarted = outbox(slack, clock)  # a new worker: nothing in memory, the table never heard of it
    assert await restarted.remind(grown, "early_warning"), "already in the thread: counts as sent"
    assert [c for c in slack.ok_calls("chat.postMessage") if "thread_ts" in c.args] == replies, "no second reply"
    assert await restarted.remind(grown, "notification")
    assert len([c for c in slack.ok_calls("chat.postMessage") if "thread_ts" in c.args]) == 2, "another clock is sent"


async def test_acknowledged_incident_shows_who_took_it(slack, clock) -> None:
    box = outbox(slack, clock)
    state = incident()
    states = apply([state], await box.flush([state], NOW))
    acked = inc.acknowledged(states[0], "camille", NOW)
    await box.flush([acked], NOW)
    update = slack.ok_calls("chat.update")[-1]
    assert "Acknowledged by camille" in str(update.args["blocks"])
    buttons = [e["text"]["text"] for b in update.args["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Resolve"], "acknowledged: no second Acknowledge, but it can be resolved"


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


async def test_the_stand_in_writes_every_call_as_a_json_line(clock, tmp_path) -> None:
    record = tmp_path / "slack-calls.jsonl"
    standin = SlackStandIn(record_to=record).start()
    try:
        standin.rate_limit(1, retry_after=5)
        box = outbox(standin, clock)
        await box.flush([incident()], NOW)  # 429
        clock.t += 6
        await box.flush([incident("r-2", Severity.CRITICAL)], NOW)
    finally:
        standin.stop()
    lines = [json.loads(line) for line in record.read_text().splitlines()]
    assert [(line["method"], line["status"]) for line in lines] == [("chat.postMessage", 429),
                                                                    ("chat.postMessage", 200)]
    assert lines[1]["args"]["channel"] == "C-CRITICAL" and lines[1]["args"]["blocks"][0]["type"] == "header"
    assert "xoxb" not in record.read_text(), "the bot token is never written down"


async def test_a_quiet_incident_is_asked_to_resolve_but_never_a_nis2_one(slack, clock) -> None:
    box = Outbox(SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url), lambda t: ROUTING,
                 lambda t: timedelta(hours=4), monotonic=clock, quiet_period=lambda t: timedelta(minutes=30))
    gdpr, nis2 = incident(), inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, NOW)
    states = apply([gdpr, nis2], await box.flush([gdpr, nis2], NOW))
    assert [c["type"] for c in await box.flush(states, NOW + timedelta(minutes=29))] == []
    asks = await box.flush(states, NOW + timedelta(minutes=31))
    assert [(c["type"], c["incident"], c["source"]) for c in asks] == [("resolve", gdpr["id"], "auto")]
    done = inc.resolved(states[0], NOW + timedelta(minutes=31))
    assert done["transitions"][-1] == {"to": "resolved", "at": (NOW + timedelta(minutes=31)).isoformat(),
                                       "by": None, "by_id": None, "source": "auto"}
    await box.flush([done], NOW + timedelta(minutes=31))
    assert "Resolved automatically after a quiet period" in str(slack.ok_calls("chat.update")[-1].args["blocks"])


def test_wording_for_people_not_ids() -> None:
    one = incident(n=1)
    assert blocks.incident_text(one).endswith("(1 call)") and "(1 calls)" not in blocks.incident_text(one)
    assert "3 calls" in blocks.incident_text(incident(n=3))
    assert "1 incident, 1 call (" in blocks.digest_text("shop-berlin", [one])
    anywhere = {**one, "destination": "*", "provider_name": "Mistral AI"}
    assert "unknown locations (the provider names no region" in str(blocks.incident_blocks(anywhere))
    assert " in *" not in str(blocks.incident_blocks(anywhere)) and "Mistral AI" in blocks.incident_text(anywhere)
    nis2 = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, NOW, provider_name="OpenAI") | {
        "provider_name": "OpenAI", "tenant_name": "Berlin Shop GmbH"}
    assert nis2["title"] == "OpenAI outage: 3 lockouts"
    text, shown = blocks.incident_text(nis2), str(blocks.incident_blocks(nis2))
    assert "→ -" not in text and "Destination" not in shown, "no destination line when there is none"
    assert "OpenAI" in text and "Berlin Shop GmbH (shop-berlin)" in text
    reminder = blocks.reminder_text(nis2, "notification")
    assert "OpenAI" in reminder and "|" not in reminder and "Berlin Shop GmbH" in reminder
    both = {**one, "destination": "*,FR", "title": "A provider the shop has banned was called."}
    assert "banned was called: " in blocks.incident_text(both) and "to France and unknown locations (1 call)" in \
        blocks.incident_text(both), "no full stop before the colon; a known country and unknown ones read as one"
    unknown = {**one, "provider": "unknown"}
    assert "an unregistered provider" in blocks.incident_text(unknown)


def test_the_life_cycle_records_every_step_and_a_recurrence_reopens() -> None:
    state = incident(n=2)
    at = NOW + timedelta(hours=1)
    state = inc.acknowledged(state, "camille", at, "U1")
    assert inc.acknowledged(state, "lena", at) is state, "acknowledged once"
    state = inc.resolved(state, at, "lena", "U2")
    state = inc.delivered(state, state["version"], "C-ALERTS", "111.000001")
    assert inc.acknowledged(state, "noor", at)["status"] == "resolved", "a resolved incident is not re-acknowledged"
    again = incident(n=1)
    recurred = inc.record_finding(state, Verdict(event_id=uuid7(), tenant="shop-berlin", decided_at=at,
                                                 decision=Decision.UNAUTHORISED, basis=Basis.NONE,
                                                 provider="deepseek", destinations=("CN",)),
                                  Finding(rule_id=again["rule_id"], title="t", articles=("a",),
                                          severity=Severity.HIGH, explanation="e", remediation="r"), at)
    assert [(t["to"], t["by"], t["by_id"], t["source"]) for t in recurred["transitions"]] == [
        ("open", None, None, "finding"), ("acknowledged", "camille", "U1", "slack"),
        ("resolved", "lena", "U2", "slack"), ("reopened", None, None, "recurrence")]
    assert recurred["status"] == "reopened" and recurred["count"] == 1 and recurred["ts"] is None
    assert recurred["previous"] == {"channel": "C-ALERTS", "ts": "111.000001", "resolved_at": at.isoformat(),
                                    "resolved_by": "lena", "count": 2}
    assert inc.needs_delivery(recurred)


async def test_a_reopened_incident_gets_a_new_message_that_keeps_linking_the_old(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply([incident()], await box.flush([incident()], NOW))
    done = inc.resolved(states[0], NOW, "lena", "U2")
    states = apply([done], await box.flush([done], NOW))
    old_ts = states[0]["ts"]
    back = inc.record_signal(states[0], NOW + timedelta(hours=2))
    states = apply([back], await box.flush([back], NOW))
    assert states[0]["ts"] != old_ts, "a new message, not an update of the old one"
    link = f"https://douane-standin.slack.com/archives/C-ALERTS/p{old_ts.replace('.', '')}"
    assert link in str(slack.messages[("C-ALERTS", states[0]["ts"])]["blocks"])
    more = inc.record_signal(states[0], NOW + timedelta(hours=3))
    await box.flush([more], NOW)
    update = slack.ok_calls("chat.update")[-1]
    assert update.args["ts"] == states[0]["ts"] and link in str(update.args["blocks"]), "updates keep the link"
    assert len(slack.ok_calls("chat.getPermalink")) == 1


def escalated(state: dict, severity: Severity) -> dict:
    """The same incident, one more call, at a higher severity."""
    verdict = Verdict(event_id=uuid7(), tenant=state["tenant"], decided_at=NOW, decision=Decision.UNAUTHORISED,
                      basis=Basis.NONE, provider=state["provider"], destinations=("CN",))
    finding = Finding(rule_id=state["rule_id"], title=state["title"], articles=("GDPR Art. 44",), severity=severity,
                      explanation="Personal data goes to CN.", remediation="Redirect it.")
    return inc.record_finding(state, verdict, finding, NOW + timedelta(minutes=5))


async def test_an_incident_that_moves_channel_leaves_a_pointer_without_buttons(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply([incident()], await box.flush([incident()], NOW))
    old_ts = states[0]["ts"]
    worse = escalated(states[0], Severity.CRITICAL)
    states = apply([worse], await box.flush([worse], NOW))
    assert states[0]["channel"] == "C-CRITICAL" and states[0]["ts"] != old_ts
    old = slack.messages[("C-ALERTS", old_ts)]
    assert "(1 call)" not in old["text"] and "<#C-CRITICAL>" in old["text"] and "critical" in old["text"]
    link = f"https://douane-standin.slack.com/archives/C-CRITICAL/p{states[0]['ts'].replace('.', '')}"
    assert link in str(old["blocks"]), "the old message links the one to follow"
    assert "severity is now critical" in str(old["blocks"]).lower()
    assert [b for b in old["blocks"] if b["type"] == "actions"] == [], "nobody acknowledges the stale copy"
    updates = len(slack.ok_calls("chat.update"))
    await box.flush([inc.record_signal(states[0], NOW)], NOW)
    assert [c.args["ts"] for c in slack.ok_calls("chat.update")[updates:]] == [states[0]["ts"]], \
        "later changes update the new message only"


async def test_a_digest_member_that_moves_out_loses_its_button_in_the_digest(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply([incident(f"rule-{i}", Severity.MEDIUM, provider=f"p{i}") for i in range(4)], [])
    states = apply(states, await box.flush(states, NOW))
    member = next(s for s in states if s["in_digest"])
    [command] = await box.flush([escalated(member, Severity.HIGH)], NOW)
    digest = slack.messages[("C-REVIEW", member["ts"])]
    line = next(b for b in digest["blocks"] if f"· {member['provider']} ·" in str(b))
    assert "accessory" not in line and "<#C-ALERTS>" in line["text"]["text"]
    assert command["channel"] == "C-ALERTS" and not command["in_digest"]


async def test_a_digest_is_updated_only_when_what_it_shows_changes(slack, clock) -> None:
    box = outbox(slack, clock)
    states = [incident(f"rule-{i}", Severity.LOW, provider=f"p{i}") for i in range(6)]
    states = apply(states, await box.flush(states, NOW))
    members = {s["id"] for s in states if s["in_digest"]}
    before = len(slack.ok_calls("chat.update"))
    grown = [inc.record_signal(s, NOW) if s["id"] in members else s for s in states]
    states = apply(grown, await box.flush(grown, NOW))
    assert len(slack.ok_calls("chat.update")) - before == 1, "three members changed in one pass: one update"
    assert all(not inc.needs_delivery(s) for s in states), "every member is recorded as delivered"
    bumped = [dict(s, version=s["version"] + 1) if s["id"] in members else s for s in states]
    states = apply(bumped, await box.flush(bumped, NOW))
    assert len(slack.ok_calls("chat.update")) - before == 1, "nothing shown changed: no update"
    assert all(not inc.needs_delivery(s) for s in states)


def test_a_location_not_determined_does_not_read_as_a_processing_country() -> None:
    unknown = {**incident(), "rule_id": "chapter-v.location-unknown", "title": "Processing location not determined",
               "destination": "IE", "provider_name": "Azure OpenAI"}
    text, shown = blocks.incident_text(unknown), str(blocks.incident_blocks(unknown))
    assert " to Ireland" not in text, text
    assert "processing location not determined" in text.lower() and "contracting entity in Ireland" in text
    assert "contracting entity" in shown and "not determined" in shown


async def test_a_digest_is_one_message_its_count_updates_wait_the_interval_whichever_member_grew(slack, clock) -> None:
    routing = ROUTING.model_copy(update={"update_every_seconds": 10})
    box = outbox(slack, clock, routing)
    states = [incident(f"rule-{i}", Severity.LOW, provider=f"p{i}") for i in range(6)]
    states = apply(states, await box.flush(states, NOW))
    first, second, _ = [s["id"] for s in states if s["in_digest"]]
    clock.t += 11
    before = len(slack.ok_calls("chat.update"))
    states = [inc.record_signal(s, NOW) if s["id"] == first else s for s in states]
    states = apply(states, await box.flush(states, NOW))
    assert len(slack.ok_calls("chat.update")) - before == 1
    states = [inc.record_signal(s, NOW) if s["id"] == second else s for s in states]
    states = apply(states, await box.flush(states, NOW))
    assert len(slack.ok_calls("chat.update")) - before == 1, "the digest was updated a moment ago: it waits"
    assert inc.needs_delivery(next(s for s in states if s["id"] == second)), "still due, not dropped"
    acked = [inc.acknowledged(s, "lena", NOW) if s["id"] == first else s for s in states]
    states = apply(acked, await box.flush(acked, NOW))
    assert len(slack.ok_calls("chat.update")) - before == 2, "an acknowledgement does not wait"
    assert not any(inc.needs_delivery(s) for s in states), "and it carries the waiting count along"


async def test_a_digest_never_lists_a_member_as_high_while_it_waits_to_move_out(slack, clock) -> None:
    box = outbox(slack, clock)
    states = apply([incident(f"rule-{i}", Severity.MEDIUM, provider=f"p{i}") for i in range(5)], [])
    states = apply(states, await box.flush(states, NOW))
    grows, leaves = [s["id"] for s in states if s["in_digest"]][:2]
    changed = [inc.record_signal(s, NOW) if s["id"] == grows else
               escalated(s, Severity.HIGH) if s["id"] == leaves else s for s in states]
    await box.flush(changed, NOW)
    digest_ts = next(s["ts"] for s in states if s["id"] == grows)
    renders = [c.args["blocks"] for c in slack.ok_calls("chat.update") if c.args["ts"] == digest_ts]
    assert renders and all(":large_orange_circle:" not in str(r) for r in renders), \
        "a high incident is never shown as a digest line (with its Acknowledge button there)"
    assert "moved to <#C-ALERTS>" in str(renders[-1])


async def test_the_renders_kept_are_bounded_and_a_live_message_still_skips_an_unchanged_update(slack, clock) -> None:
    box = outbox(slack, clock)
    box.shown_limit = 8
    [live] = apply([incident("rule-live")], await box.flush([incident("rule-live")], NOW))
    for i in range(20):  # other messages come and go; the live one is sent again, unchanged, between them
        await box.flush([incident(f"rule-{i}", provider=f"p{i}")], NOW)
        [live] = apply([bumped := dict(live, version=live["version"] + 1)], await box.flush([bumped], NOW))
    assert len(slack.ok_calls("chat.postMessage")) == 21
    assert slack.ok_calls("chat.update") == [], "nothing the live message shows changed"
    assert len(box._shown) <= 8, f"{len(box._shown)} renders kept"


@pytest.mark.parametrize(("provider", "destination", "seat", "seat_name", "to", "not_shown"), [
    ("Anthropic API", "IE,*", "IE", "Ireland", "to unknown locations; contracting entity in Ireland (",
     "Ireland and unknown locations"),
    ("Amazon Bedrock", "CH,EU,GB,LU", "LU", "Luxembourg", "to Switzerland, the European Union and the United "
     "Kingdom; contracting entity in Luxembourg (", "the United Kingdom and Luxembourg"),
    ("Mistral AI", "EU,FR", "FR", "France", "to the European Union; contracting entity in France (",
     "the European Union and France"),
    ("OpenAI API", "US", "", "", "to the United States (", "contracting entity"),
])
def test_a_contracting_entitys_seat_is_not_named_as_a_destination(provider: str, destination: str, seat: str,
                                                                   seat_name: str, to: str, not_shown: str) -> None:
    state = {**incident(), "provider_name": provider, "destination": destination} | ({"seat": seat} if seat else {})
    text, shown = blocks.incident_text(state), json.dumps(blocks.incident_blocks(state))
    assert f"{provider} {to}" in text and not_shown not in text, text
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in blocks.incident_blocks(state)[1]["fields"]}
    if not seat:
        assert fields["*Destination*"] == "the United States" and "*Contracting entity*" not in fields
    else:
        assert seat_name not in fields["*Destination*"], fields
        assert fields["*Contracting entity*"].startswith(f"In {seat_name}: where it sits, not where the data is "
                                                         "processed")
    assert not_shown not in shown
    line = blocks.digest_blocks("shop-berlin", [state])[2]["text"]["text"]
    assert not_shown not in line and (not seat or f"contracting entity in {seat_name}" in line), line


def test_the_seat_only_countries_come_from_the_registry() -> None:
    seats = seat_only(load_registry())
    assert seats["anthropic"] == {"IE"} and seats["aws-bedrock"] == {"LU"} and seats["mistral"] == {"FR"}
    assert "IE" not in seats["azure-openai"], "Azure processes in IE (northeurope): IE may be a processing place"
    assert seats["deepseek"] == frozenset(), "DeepSeek processes where it sits"


def test_a_digest_headline_gives_the_current_counts_and_leaves_out_lines_moved_away() -> None:
    states = [incident(f"rule-{i}", Severity.LOW, provider=f"p{i}") for i in range(3)]
    before = blocks.digest_blocks("shop-berlin", states)[0]["text"]["text"]
    grown = [inc.record_signal(states[0], NOW), *states[1:]]
    after = blocks.digest_blocks("shop-berlin", grown)[0]["text"]["text"]
    assert before == "Douane digest: 3 incidents, 3 calls" and after == "Douane digest: 3 incidents, 4 calls"
    moved = [*grown[:2], {**grown[2], "moved_to": "C-ALERTS", "severity": "high"}]
    shown = blocks.digest_blocks("shop-berlin", moved)
    assert shown[0]["text"]["text"] == "Douane digest: 2 incidents, 3 calls"
    assert "Now: 2 open, 1 moved out; last call " in shown[1]["elements"][0]["text"]
    assert blocks.digest_text("shop-berlin", moved).endswith(": 2 incidents, 3 calls (low or medium severity)")


@pytest.mark.parametrize(("destination", "field", "short"), [
    ("CH,EU,GB", "Switzerland, the European Union and the United Kingdom",
     "to Switzerland, the European Union and the United Kingdom ("),
    ("*,US", "the United States and unknown locations (the provider names no region, so it may process in any "
             "country)", "to the United States and unknown locations ("),
    ("*", "unknown locations (the provider names no region, so it may process in any country)",
     "to unknown locations ("),
])
def test_the_destination_names_places_in_the_words_of_rules_wording(destination: str, field: str,
                                                                    short: str) -> None:
    state = {**incident(), "provider_name": "Amazon Bedrock", "destination": destination}
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in blocks.incident_blocks(state)[1]["fields"]}
    assert fields["*Destination*"] == field
    assert f"Amazon Bedrock {short}" in blocks.incident_text(state), blocks.incident_text(state)
    line = blocks.digest_blocks("shop-berlin", [state])[2]["text"]["text"]
    assert f"· {short[3:-2]} ·" in line, line


def test_a_contracting_entitys_seat_is_named_as_a_country() -> None:
    state = {**incident(), "provider_name": "Amazon Bedrock", "destination": "CH,LU", "seat": "LU"}
    assert "contracting entity in Luxembourg" in blocks.incident_text(state)
    fields = {f["text"].split("\n")[0]: f["text"].split("\n")[1] for f in blocks.incident_blocks(state)[1]["fields"]}
    assert fields["*Contracting entity*"].startswith("In Luxembourg: where it sits")
