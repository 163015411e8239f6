"""Alerts end to end: real broker, real Faust tables, slack-sdk against the local Slack stand-in."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from deploy.standins.slack import SlackStandIn
from douane.contract import Action, ErrorClass, Outcome, Severity
from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.alerts import SlackNotifier
from rules.alerting import Alerting
from stream.alerts.incidents import incident_id
from stream.alerts.interactions import sign
from tests.helpers import free_port, read_all
from tests.rules.conftest import call
from tests.stream.conftest import EXAMPLE_POLICY, publish, steady, until

pytestmark = pytest.mark.kafka
SECRET = "s3cret-signing"
POLICIES = PolicySet([], default=EXAMPLE_POLICY)


@pytest.fixture
def slack():
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


def alert_app(bootstrap: str, app_id: str, slack: SlackStandIn, web_port: int | None = None,
              policies: PolicySet = POLICIES) -> StreamApp:
    config = StreamConfig(bootstrap, app_id=app_id, start_from="latest", web_port=web_port, batch_wait=0.05)
    app = StreamApp(config, policies, [], slack=SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url),
                    signing_secret=SECRET)
    app.stages.insert(0, app.findings_publisher())
    return app


def expected_incidents(events) -> dict[str, int]:
    """incident id -> number of alerting findings, from the engine itself."""
    from stream.alerts.incidents import incident_id

    counts: dict[str, int] = {}
    for event in events:
        verdict = POLICIES.audit(event).verdict
        for f in verdict.findings:
            if f.severity.rank >= EXAMPLE_POLICY.alerts.min_severity.rank:
                key = incident_id(verdict.tenant, f.rule_id, verdict.provider, verdict.destinations)
                counts[key] = counts.get(key, 0) + 1
    return counts


def messages_by_incident(slack: SlackStandIn) -> dict[str, dict]:
    found = {}
    for (channel, ts), args in slack.messages.items():
        for block in args.get("blocks", []):
            if block.get("type") == "context" and "incident `" in str(block):
                text = block["elements"][0]["text"]
                found[text.split("incident `")[1].rstrip("`")] = {"channel": channel, "ts": ts, **args}
    return found


def calls_shown(message: dict) -> int:
    fields = message["blocks"][1]["fields"]
    return int(next(f["text"] for f in fields if f["text"].startswith("*Calls*")).split("\n")[1])


def deepseek_calls(tenant: str, n: int) -> list:
    return [call("api.deepseek.com", tenant=tenant, categories=("user.contact.email",)) for _ in range(n)]


async def test_one_message_per_incident_updated_with_counts(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    events = deepseek_calls(tenant, 25)
    expected = expected_incidents(events)
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)

        def settled() -> bool:
            shown = messages_by_incident(slack)
            return set(shown) == set(expected) and all(calls_shown(shown[k]) == n for k, n in expected.items())

        await until(settled, timeout=60, what=f"{len(expected)} incidents with their counts")
    posts = [c for c in slack.ok_calls("chat.postMessage") if tenant in c.args["text"]]
    assert len(posts) == len(expected) >= 3, "one message per incident, not per request"
    assert slack.ok_calls("chat.update"), "counts grow by updating the message in place"
    channels = {k.split("|")[1]: m["channel"] for k, m in messages_by_incident(slack).items()}
    assert channels["custom.banned-provider"] == "C-CRITICAL"
    assert channels["nis2.unregistered-vendor"] == "C-REVIEW"


def interaction(incident: str, action_id: str = "douane.ack", user: str = "camille",
                stamp: str | None = None, secret: str = SECRET) -> tuple[bytes, dict]:
    payload = {"type": "block_actions", "user": {"id": f"U-{user}", "username": user},
               "actions": [{"action_id": action_id, "value": incident, "action_ts": f"{time.time():.6f}"}]}
    body = urlencode({"payload": json.dumps(payload)}).encode()
    stamp = stamp or str(int(time.time()))
    return body, {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sign(secret, stamp, body),
                  "Content-Type": "application/x-www-form-urlencoded"}


async def post(port: int, body: bytes, headers: dict) -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"http://127.0.0.1:{port}/slack/interactions", data=body, headers=headers) as answer:
            return answer.status


async def test_acknowledge_through_a_signed_slack_interaction(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    port = free_port()
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, web_port=port)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 3))
        await until(lambda: any(tenant in k for k in messages_by_incident(slack)), timeout=60, what="an alert")
        incident = next(k for k in messages_by_incident(slack) if tenant in k)
        body, headers = interaction(incident)
        assert await post(port, body, {**headers, "X-Slack-Signature": "v0=" + "0" * 64}) == 401
        assert await post(port, body, headers) == 200
        await until(lambda: "Acknowledged by camille" in str(messages_by_incident(slack)[incident]["blocks"]),
                    timeout=30, what="the message to show the acknowledgement")


async def test_replayed_and_malformed_interactions_are_refused_with_a_4xx(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    port = free_port()
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, web_port=port)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        incident = f"{tenant}|chapter-v.no-basis|deepseek|CN"
        body, headers = interaction(incident)
        assert await post(port, body, headers) == 200
        await asyncio.sleep(2)
        assert await post(port, body, headers) == 409, "an exact replay 2 s later is refused"
        huge = interaction(incident, stamp="9" * 5000)
        assert await post(port, *huge) == 400, "a 5,000-digit timestamp is a 400, not a 500"
        assert await post(port, b"payload=%FF%FE", interaction(incident)[1]) in (400, 401)
        assert await post(port, b"\xff" * 10, {"X-Slack-Request-Timestamp": "1", "X-Slack-Signature": "v0="}) == 400


async def test_acknowledge_resolve_then_a_recurrence_reopens_with_a_new_message(kafka_bootstrap, unique,
                                                                                slack) -> None:
    tenant = f"shop-{unique}"
    port = free_port()
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, web_port=port)
    snapshots = SnapshotReader(kafka_bootstrap, tenant)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 2))
        incident = f"{tenant}|custom.banned-provider|deepseek|CN"
        await until(lambda: incident in messages_by_incident(slack), timeout=60, what="the alert")
        first = messages_by_incident(slack)[incident]
        assert await post(port, *interaction(incident, user="camille")) == 200
        await until(lambda: "Acknowledged by camille" in str(messages_by_incident(slack)[incident]["blocks"]),
                    timeout=30, what="the acknowledgement")
        assert await post(port, *interaction(incident, "douane.resolve", user="lena")) == 200
        await until(lambda: "Resolved by lena" in str(slack.messages[(first["channel"], first["ts"])]["blocks"]),
                    timeout=30, what="the resolution on the message")
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 1))
        await until(lambda: messages_by_incident(slack)[incident]["ts"] != first["ts"], timeout=60,
                    what="a new message for the recurrence")
        last = await asyncio.to_thread(snapshots.latest, incident, lambda s: s["status"] == "reopened")
    again = messages_by_incident(slack)[incident]
    assert again["text"].startswith("[CRITICAL] Reopened: ") and calls_shown(again) == 1
    assert f"p{first['ts'].replace('.', '')}" in str(again["blocks"]), "the new message links the old one"
    assert "Recurred after it was resolved by lena" in str(again["blocks"]) and "Acknowledge" in str(again["blocks"])
    steps = [(t["to"], t["by"], t["source"]) for t in last["transitions"]]
    assert steps == [("open", None, "finding"), ("acknowledged", "camille", "slack"),
                     ("resolved", "lena", "slack"), ("reopened", None, "recurrence")]
    assert last["transitions"][1]["by_id"] == "U-camille" and last["previous"]["ts"] == first["ts"]


async def test_a_quiet_incident_resolves_itself_after_the_policy_period(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    policy = EXAMPLE_POLICY.model_copy(update={"alerting": Alerting(resolve_after_minutes=30)})
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, policies=PolicySet([], default=policy))
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 2))
        incident = f"{tenant}|custom.banned-provider|deepseek|CN"
        await until(lambda: incident in messages_by_incident(slack), timeout=60, what="the alert")
        await asyncio.sleep(2)
        assert "Resolved" not in str(messages_by_incident(slack)[incident]["blocks"]), "not before the period"
        app.desk.clock = lambda: datetime.now(timezone.utc) + timedelta(minutes=31)
        await until(lambda: "Resolved automatically" in str(messages_by_incident(slack)[incident]["blocks"]),
                    timeout=60, what="the automatic resolution")


class SnapshotReader:
    """Reads the incident snapshots the desk publishes on douane.incidents for the store."""

    def __init__(self, bootstrap: str, tenant: str) -> None:
        self.bootstrap, self.tenant = bootstrap, tenant

    def latest(self, incident: str, condition) -> dict:
        deadline, states = time.monotonic() + 60, []
        while time.monotonic() < deadline:
            records = read_all(self.bootstrap, "douane.incidents", 20.0, lambda r: r.key == self.tenant.encode())
            states = [m["state"] for m in map(lambda r: json.loads(r.value), records)
                      if m.get("type") == "state" and m["state"]["id"] == incident]
            if states and condition(states[-1]):
                return states[-1]
        seen = [(s["status"], s["version"]) for s in states]
        raise AssertionError(f"no snapshot of {incident} matching the condition; saw {seen} of {len(records)}")


def listening_sockets() -> set[tuple[str, int]]:
    """(address, port) of every TCP socket this process listens on, read from /proc."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        for line in open(table).read().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and parts[9] in mine:  # 0A: LISTEN
                address, port = parts[1].split(":")
                found.add((_address(address, width), int(port, 16)))
    return found


def _address(hexed: str, width: int) -> str:
    raw = bytes.fromhex(hexed)
    if width == 8:
        return socket.inet_ntop(socket.AF_INET, raw[::-1])
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4))
    return socket.inet_ntop(socket.AF_INET6, words)


async def test_the_worker_listens_on_no_port_by_default(kafka_bootstrap, unique, slack) -> None:
    before = listening_sockets()
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        assert listening_sockets() - before == set()


async def test_the_web_server_is_loopback_only_and_serves_no_tables(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    port = free_port()
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, web_port=port)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        assert {addr for addr, p in listening_sockets() if p == port} == {"127.0.0.1"}
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 2))
        incident = f"{tenant}|custom.banned-provider|deepseek|CN"
        await until(lambda: incident in messages_by_incident(slack), timeout=60, what="the alert")
        async with aiohttp.ClientSession() as http:
            for path in (f"/table/incidents/{quote(incident, safe='')}/", "/table/incidents/", "/router/",
                         "/stats/", "/graph/", "/performance/"):
                async with http.get(f"http://127.0.0.1:{port}{path}") as answer:
                    body = await answer.text()
                    assert answer.status == 404 and tenant not in body, path
            async with http.get(f"http://127.0.0.1:{port}/") as answer:  # Faust's status page, nothing more
                assert await answer.json() == {"status": "OK"}


async def test_provider_lockouts_open_a_nis2_incident_with_its_clocks(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    locked = Outcome(action=Action.FAILED_OVER, status=403, error_class=ErrorClass.LOCKOUT_403)
    events = [call("api.openai.com", tenant=tenant, feature="content", categories=()) for _ in range(4)]
    events = [e.model_copy(update={"outcome": locked}) for e in events]
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events[:2])
        await asyncio.sleep(2)
        assert not any("nis2.provider-outage" in k for k in messages_by_incident(slack)), "below the threshold of 3"
        await asyncio.to_thread(publish, kafka_bootstrap, events[2:])
        key = f"{tenant}|nis2.provider-outage|openai|-"
        await until(lambda: key in messages_by_incident(slack) and calls_shown(messages_by_incident(slack)[key]) == 4,
                    timeout=60, what="the NIS2 incident")
    text = str(messages_by_incident(slack)[key]["blocks"])
    assert "Early warning" in text and "Incident notification" in text and "Final report" in text
    assert "NIS2 Art. 23(4)" in text


async def test_one_outage_is_one_nis2_incident_whatever_kinds_of_failure_it_shows(kafka_bootstrap, unique,
                                                                                    slack) -> None:
    """Issue 18: lockouts failed over to the sovereign model, then timeouts failed over: one outage, one incident."""
    tenant = f"shop-{unique}"
    locked = Outcome(action=Action.FAILED_OVER, status=403, error_class=ErrorClass.LOCKOUT_403)
    timed_out = Outcome(action=Action.FAILED_OVER, status=504, error_class=ErrorClass.TIMEOUT)
    base = [call("api.openai.com", tenant=tenant, feature="content", categories=()) for _ in range(16)]
    episode = ([e.model_copy(update={"outcome": locked}) for e in base[:4]]
               + [e.model_copy(update={"outcome": timed_out}) for e in base[4:]])
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, episode)
        key = f"{tenant}|nis2.provider-outage|openai|-"
        await until(lambda: key in messages_by_incident(slack) and calls_shown(messages_by_incident(slack)[key]) == 16,
                    timeout=60, what="one NIS2 incident counting all 16 failed calls")
    nis2 = [k for k in messages_by_incident(slack) if k.startswith(f"{tenant}|nis2.")]
    assert nis2 == [key], f"one incident for the outage, not one per kind of failure: {nis2}"
    title = messages_by_incident(slack)[key]["text"]
    assert "4 lockouts" in title and "12 errors" in title and "16 failovers" in title


async def test_an_alert_slack_could_not_take_is_delivered_after_a_restart(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    events = deepseek_calls(tenant, 5)
    expected = expected_incidents(events)
    slack.down = True
    first = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(first.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: len(first.desk.outbox.pending_errors) >= len(expected), timeout=60,
                    what="every incident to be pending")
    assert not messages_by_incident(slack)
    slack.down = False
    second = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    async with EmbeddedWorker(second.app) as worker:
        await worker.wait_ready()
        await until(lambda: set(messages_by_incident(slack)) == set(expected), timeout=60,
                    what="the pending alerts, after the restart")
    assert all(calls_shown(messages_by_incident(slack)[k]) == n for k, n in expected.items())


async def test_two_workers_share_the_partitions_and_each_incident_is_sent_once(kafka_bootstrap, unique, slack) -> None:
    tenants = [f"shop-{unique}-{i}" for i in range(8)]
    events = [e for t in tenants for e in deepseek_calls(t, 3)]
    expected = expected_incidents(events)
    group = f"alerts-{unique}"
    one, two = alert_app(kafka_bootstrap, group, slack), alert_app(kafka_bootstrap, group, slack)
    async with EmbeddedWorker(one.app) as w1:
        await w1.wait_ready()
        async with EmbeddedWorker(two.app) as w2:
            await w2.wait_ready()
            await _stable_split(one, two)
            await asyncio.to_thread(publish, kafka_bootstrap, events)
            await until(lambda: set(messages_by_incident(slack)) >= set(expected)
                        and all(calls_shown(messages_by_incident(slack)[k]) == n for k, n in expected.items()),
                        timeout=90, what="every incident with its final count")
            assert one.desk.alerts_sent > 0 and two.desk.alerts_sent > 0, "both workers alert, on their tenants"
    posts = [c for c in slack.ok_calls("chat.postMessage") if unique in c.args["text"]]
    assert len(posts) == len(expected), "each incident posted once, by the worker that owns its tenant"


async def _stable_split(one: StreamApp, two: StreamApp) -> None:
    """Both hold partitions, together all of them, and the split stays put for 3 s.

    The groups start at the latest offset: records published while a partition changes
    hands before any offset was committed would be skipped, so the test waits for calm.
    """
    def split() -> tuple[frozenset, frozenset] | None:
        now = (frozenset(_assigned(one)), frozenset(_assigned(two)))
        return now if all(now) and now[0] | now[1] == _EVERY_PARTITION and not now[0] & now[1] else None

    await steady(split, "the two workers never settled on a split of the partitions")


_EVERY_PARTITION = {(topic, p) for topic in ("douane.ai-calls", "douane.findings") for p in range(6)}


def _assigned(app: StreamApp) -> set[tuple[str, int]]:
    """The calls' partitions the worker judges and the findings' partitions its incident desk owns."""
    judged = {(tp.topic, tp.partition) for tp in app.judge.assignment()}
    return judged | {(tp.topic, tp.partition) for tp in app.app.consumer.assignment() if tp.topic == "douane.findings"}


async def test_the_sink_keeps_incidents_in_the_store(kafka_bootstrap, unique, slack, tmp_path) -> None:
    from stream import SinkConfig, StoreSink
    from stream.store import StoreWriter, open_store

    tenant = f"shop-{unique}"
    events = deepseek_calls(tenant, 6)
    expected = expected_incidents(events)
    writer = StoreWriter(tmp_path / "store.duckdb")
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"sink-{unique}", start_from="latest"), POLICIES, writer)
    worker_app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack)
    sinking = asyncio.create_task(sink.run())
    settled = ("SELECT count(*) FROM incidents i JOIN alert_state a USING (incident_id) "
               "WHERE i.tenant = ? AND i.count = 6 AND NOT a.pending")
    async with EmbeddedWorker(worker_app.app) as w:
        await w.wait_ready()
        await asyncio.wait_for(sink.ready.wait(), 60)
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: set(messages_by_incident(slack)) == set(expected), timeout=60, what="the alerts")
        await until(lambda: writer.con.cursor().execute(settled, [tenant]).fetchall()[0][0] == len(expected),
                    timeout=60, what="the incidents, delivered, in the store")
    sink.stop()
    await sinking
    writer.close()
    con = open_store(tmp_path / "store.duckdb", read_only=True)
    rows = con.execute("SELECT i.incident_id, i.count, a.pending, a.message_ts IS NOT NULL FROM incidents i "
                       "JOIN alert_state a USING (incident_id) WHERE i.tenant = ?", [tenant]).fetchall()
    assert {r[0] for r in rows} == set(expected)
    assert all(r[1] == 6 and r[2] is False and r[3] for r in rows)
    assert con.execute("SELECT count(*) FROM calls WHERE tenant = ?", [tenant]).fetchall()[0][0] == 6
    con.close()


async def test_socket_mode_acknowledges_without_a_public_url(kafka_bootstrap, unique, slack) -> None:
    tenant = f"shop-{unique}"
    config = StreamConfig(kafka_bootstrap, app_id=f"alerts-{unique}", start_from="latest", batch_wait=0.05)
    app = StreamApp(config, POLICIES, [], slack=SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url),
                    slack_app_token="xapp-test-token")
    app.stages.insert(0, app.findings_publisher())
    before = listening_sockets()
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await until(lambda: slack.socket_connections == 1, timeout=30, what="the Socket Mode connection")
        assert listening_sockets() - before == set(), "Socket Mode opens no port"
        await asyncio.to_thread(publish, kafka_bootstrap, deepseek_calls(tenant, 2))
        incident = f"{tenant}|custom.banned-provider|deepseek|CN"
        await until(lambda: incident in messages_by_incident(slack), timeout=60, what="the alert")
        junk = await asyncio.to_thread(slack.click, {"type": "block_actions", "actions": "nonsense"})
        envelope = await asyncio.to_thread(slack.click, {
            "type": "block_actions", "user": {"id": "U7", "username": "noor"},
            "actions": [{"action_id": "douane.ack", "value": incident, "action_ts": f"{time.time():.6f}"}]})
        await until(lambda: "Acknowledged by noor" in str(messages_by_incident(slack)[incident]["blocks"]),
                    timeout=30, what="the acknowledgement over Socket Mode")
    assert {junk, envelope} <= set(slack.socket_acks), "every envelope is acknowledged, even a bad one"
    assert app.desk.socket_mode.handled == 1


async def test_a_burst_gives_every_high_and_critical_incident_its_own_message(kafka_bootstrap, unique,
                                                                              slack) -> None:
    tenant = f"shop-{unique}"
    hosts = ("api.deepseek.com", "api.anthropic.com", "generativelanguage.googleapis.com", "api.cohere.com",
             "api.mistral.ai")
    events = [call(h, tenant=tenant, special=True, categories=("user.contact.email", "user.health_and_medical"))
              for h in hosts]
    policy = EXAMPLE_POLICY.model_copy(update={"alerts": EXAMPLE_POLICY.alerts.model_copy(
        update={"digest_after": 2})})
    policies = PolicySet([], default=policy)
    severity = {inc_id: f.severity for e in events for v in [policies.audit(e).verdict] for f in v.findings
                for inc_id in [incident_id(v.tenant, f.rule_id, v.provider, v.destinations)]
                if f.severity.rank >= policy.alerts.min_severity.rank}
    urgent = {k for k, s in severity.items() if s.rank >= Severity.HIGH.rank}
    assert len(urgent) >= 8 and len(severity) > len(urgent), "a burst of both kinds"
    app = alert_app(kafka_bootstrap, f"alerts-{unique}", slack, policies=policies)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: any(tenant in c.args["text"] for c in slack.ok_calls("chat.postMessage")), timeout=60,
                    what="the first message")
        await _quiet(slack, seconds=4)
    own = set(messages_by_incident(slack))
    assert urgent <= own, f"high or critical incidents hidden in a digest: {sorted(urgent - own)}"
    digests = [m for m in slack.messages.values() if m.get("text", "").startswith("Douane digest")]
    assert digests and all("low or medium" in d["text"] for d in digests), "the medium ones share a digest"


async def _quiet(slack: SlackStandIn, seconds: float, timeout: float = 90) -> None:
    """Until the stand-in has had no call for ``seconds``: the burst is out."""
    deadline, seen, since = time.monotonic() + timeout, -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(slack.calls) != seen:
            seen, since = len(slack.calls), time.monotonic()
        elif time.monotonic() - since >= seconds:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("Slack calls never stopped")
