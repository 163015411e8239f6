"""``douane replay`` on the real broker and a real DuckDB store: a known window, a stricter policy, the exact diff."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from typer.testing import CliRunner

from collector import TrafficGenerator
from collector.synthetic import Outage
from douane.cli.main import app
from douane.contract import TOPICS, encode
from rules.policy import load_policy
from stream import PolicySet
from stream.replay import ReplayConfig, ReplayError, TopicReader, Window, parse_time, replay
from stream.store import StoreWriter
from tests.stream.conftest import EXAMPLES, publish

STRICTER = EXAMPLES / "replay" / "woocommerce-shop.stricter.policy.yaml"
runner = CliRunner()


@dataclass
class Mix:
    """A published and stored window of one tenant's traffic, and what the test knows about it."""

    tenant: str
    window: Window
    inside: list
    store: Path
    now: PolicySet
    policy_file: Path
    incidents: list[dict]


def _incidents(tenant: str, outage: Outage) -> list[dict]:
    """The lockout's NIS2 incident (in the window, its alert delivered) and one of a later hour (outside)."""
    from stream.alerts import incidents as inc

    lockout = inc.open_nis2(tenant, "openai", {"lockout": 3}, 15, outage.start)
    lockout = inc.delivered(lockout, lockout["version"], "C-CRITICAL", "1700000000.000100")
    later = inc.open_nis2(tenant, "anthropic", {"error": 20}, 15, outage.start + timedelta(hours=1))
    return [lockout, later]


def _policies(path: Path, tenant: str) -> PolicySet:
    return PolicySet([load_policy(path).model_copy(update={"tenants": (tenant,)})])


@pytest.fixture(scope="module")
def mix(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Mix:
    """300 calls of one shop over the last ~2 hours (an OpenAI lockout inside), on Kafka and in a store."""
    import uuid

    tenant = f"berlin-{uuid.uuid4().hex[:8]}"
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=2)
    outage = Outage("openai", start + timedelta(minutes=3), start + timedelta(minutes=6))
    events = TrafficGenerator((tenant,), seed=11, start=start, outages=(outage,)).events(300)
    window = Window(start + timedelta(minutes=2), start + timedelta(minutes=7), tenant)
    folder = tmp_path_factory.mktemp("replay")
    store = folder / "store"
    then = _policies(EXAMPLES / "woocommerce-shop.policy.yaml", tenant)
    writer = StoreWriter(store)
    writer.record_policies(then.tenants())
    writer.write([then.audit(e) for e in events])
    incidents = _incidents(tenant, outage)
    for state in incidents:
        writer.record_incident(state)
    writer.close()
    publish(kafka_bootstrap, events)
    stricter = folder / "stricter.policy.yaml"
    stricter.write_text(STRICTER.read_text().replace("tenants: [shop-berlin, kaffee-berlin]", f"tenants: [{tenant}]")
                        .replace("../woocommerce-shop.rules.yaml", str(EXAMPLES / "woocommerce-shop.rules.yaml")))
    inside = [e for e in events if window.start <= e.observed_at < window.end]
    assert 0 < len(inside) < len(events)
    return Mix(tenant, window, inside, store, _policies(stricter, tenant), stricter, incidents)


def _scc_calls_to_openai(events: list) -> list[str]:
    """Calls the example policy let through on the OpenAI SCCs: OpenAI (either endpoint) from the two activities
    that declare personal data, support chat and checkout. Without the SCCs the verdict turns on whether OpenAI's
    Irish entity is the shop's contracting party, which the registry only assumes: review, not prohibition."""
    return [str(e.event_id) for e in events
            if e.destination.provider == "openai" and e.app.feature in ("support_chat", "checkout")]


def test_a_stricter_policy_adds_exactly_the_calls_it_no_longer_covers(kafka_bootstrap: str, mix: Mix) -> None:
    report = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, mix.store, source="kafka"))

    expected = _scc_calls_to_openai(mix.inside)
    assert expected, "the seed gives no SCC-based calls in the window: the test would prove nothing"
    assert report.sources.calls.startswith(f"Kafka topic {TOPICS.ai_calls.name}")
    assert report.totals.calls == len(mix.inside) and report.totals.not_recorded == 0
    # Those processed in the EEA (eu.api.openai.com) also lose the cover of OpenAI's onward transfers to its
    # US sub-processors, which the shop has not verified (rules/data/providers.yaml, sub_processing).
    in_eea = [str(e.event_id) for e in mix.inside if str(e.event_id) in expected and e.destination.host.startswith("eu.")]
    added = {"chapter-v.recipient-assumed": len(expected)} | ({"chapter-v.onward-transfer": len(in_eea)} if in_eea else {})
    assert {r.rule_id: r.added for r in report.rules if r.added} == added
    assert {r.rule_id: r.removed for r in report.rules if r.removed} == {"chapter-v.scc": len(expected)}
    assumed = next(r for r in report.rules if r.rule_id == "chapter-v.recipient-assumed")
    assert assumed.added_examples == expected[:3]
    decisions = {(c.then, c.now): c.calls for c in report.changes if c.field == "decision"}
    assert decisions == {("allowed_with_safeguard", "needs_review"): len(expected)}
    assert report.differs


def test_the_store_gives_the_same_diff_as_the_topic(kafka_bootstrap: str, mix: Mix) -> None:
    from_topic = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, mix.store, source="kafka"))
    from_store = replay(ReplayConfig(mix.window, mix.now, None, mix.store, source="store"))

    assert from_store.sources.calls.startswith(f"the store {mix.store}")
    assert from_store.rules == from_topic.rules and from_store.rules
    assert from_store.changes == from_topic.changes
    assert from_store.timeline == from_topic.timeline
    assert from_store.actions == from_topic.actions


def test_a_call_published_twice_counts_once(kafka_bootstrap: str, mix: Mix) -> None:
    publish(kafka_bootstrap, mix.inside[:5])  # a collector's spool drained twice: at-least-once delivery
    report = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, mix.store, source="kafka"))
    assert report.totals.calls == len(mix.inside)
    assert report.totals.records_read >= len(mix.inside) + 5


def test_timeline_and_actions_show_the_lockout(kafka_bootstrap: str, mix: Mix) -> None:
    report = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, mix.store, source="kafka"))

    failed_over = [e for e in mix.inside if e.outcome.action.value == "failed_over"]
    assert failed_over, "the outage must fall in the window"
    assert sum(m.failed_over for m in report.timeline) == len(failed_over)
    assert sum(m.calls for m in report.timeline) == len(mix.inside)
    by_minute = Counter(e.observed_at.strftime("%Y-%m-%d %H:%M") for e in mix.inside)
    assert {m.minute: m.calls for m in report.timeline} == dict(by_minute)
    lockouts = {(a.action, a.provider, a.error_class): a.calls for a in report.actions}
    assert lockouts == {("failed_over", "openai", "lockout_451"): len(failed_over)}


def test_incidents_that_fired_in_the_window_from_the_store_or_the_topic(kafka_bootstrap: str, mix: Mix,
                                                                      tmp_path: Path) -> None:
    lockout = mix.incidents[0]
    from_store = replay(ReplayConfig(mix.window, mix.now, None, mix.store, source="store"))
    assert [(i.incident_id, i.kind, i.channel) for i in from_store.incidents] == [(lockout["id"], "nis2", "C-CRITICAL")]

    snapshots = [(mix.tenant, json.dumps({"type": "state", "tenant": mix.tenant, "state": s}).encode())
                 for s in mix.incidents]
    with KafkaProducer(bootstrap_servers=kafka_bootstrap) as producer:
        for key, value in snapshots:
            producer.send(TOPICS.incidents.name, key=key.encode(), value=value)
        producer.flush()
    no_store = tmp_path / "none.duckdb"
    from_topic = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, no_store, baseline=mix.now))
    assert [(i.incident_id, i.channel) for i in from_topic.incidents] == [(lockout["id"], "C-CRITICAL")]
    assert from_topic.sources.verdicts_then == "re-evaluated under the baseline policy (--baseline)"
    assert not from_topic.differs  # the same rules then and now


def _end_offsets(bootstrap: str) -> dict:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        parts = [TopicPartition(t.name, p) for t in TOPICS.all() for p in consumer.partitions_for_topic(t.name)]
        return consumer.end_offsets(parts)
    finally:
        consumer.close()


def _fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file of the store folder with its hash and modification time."""
    return {str(p.relative_to(folder)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("source", ["kafka", "store"])
def test_replay_writes_nothing(kafka_bootstrap: str, mix: Mix, source: str, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    offsets, store = _end_offsets(kafka_bootstrap), _fingerprint(mix.store)
    assert store, "the store folder holds no file: the check would prove nothing"

    result = runner.invoke(app, ["replay", "--from", mix.window.start.isoformat(), "--to", mix.window.end.isoformat(),
                                 "--tenant", mix.tenant, "--policy", str(mix.policy_file), "--store", str(mix.store),
                                 "--source", source, "--json"])

    assert result.exit_code == 1, result.output  # 1: the rules given judge some calls differently
    answer = json.loads(result.stdout)
    assert answer["differs"] is True and answer["totals"]["calls"] == len(mix.inside)
    assert _end_offsets(kafka_bootstrap) == offsets
    assert _fingerprint(mix.store) == store


def test_the_same_rules_show_no_difference(kafka_bootstrap: str, mix: Mix, monkeypatch) -> None:
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    same = mix.policy_file.with_name("same.policy.yaml")
    same.write_text((EXAMPLES / "woocommerce-shop.policy.yaml").read_text()
                    .replace("tenants: [shop-berlin, kaffee-berlin]", f"tenants: [{mix.tenant}]")
                    .replace("[woocommerce-shop.rules.yaml]", f"[{EXAMPLES / 'woocommerce-shop.rules.yaml'}]"))
    result = runner.invoke(app, ["replay", "--from", mix.window.start.isoformat(), "--to", mix.window.end.isoformat(),
                                 "--tenant", mix.tenant, "--policy", str(same), "--store", str(mix.store)])
    assert result.exit_code == 0, result.output
    assert "no change" in result.stdout and f"{len(mix.inside)} calls in the window" in result.stdout


def test_without_a_policy_the_rules_recorded_in_the_store_are_now(mix: Mix) -> None:
    result = runner.invoke(app, ["replay", "--from", mix.window.start.isoformat(), "--to", mix.window.end.isoformat(),
                                 "--tenant", mix.tenant, "--source", "store", "--store", str(mix.store)])
    assert result.exit_code == 0, result.output
    assert f"rules now:       {mix.tenant}: policy 2026-11-01" in result.stdout and "no change" in result.stdout


@pytest.mark.parametrize("fmt, starts", [("pdf", b"%PDF"), ("html", b"<!doctype html>")])
def test_a_replay_for_the_post_mortem(mix: Mix, tmp_path: Path, fmt: str, starts: bytes) -> None:
    out = tmp_path / f"replay.{fmt}"
    result = runner.invoke(app, ["replay", "--from", mix.window.start.isoformat(), "--to", mix.window.end.isoformat(),
                                 "--tenant", mix.tenant, "--policy", str(mix.policy_file), "--source", "store",
                                 "--store", str(mix.store), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert out.read_bytes().startswith(starts)
    if fmt == "html":
        assert "chapter-v.recipient-assumed" in out.read_text() and "allowed_with_safeguard" in out.read_text()


def test_seek_by_timestamp_skips_records_published_before_the_margin(kafka_bootstrap: str) -> None:
    """Kafka timestamps are publish times: a record published before window start minus the margin is not read;
    one published late (a drained spool) is read, unless ``late`` bounds the read."""
    import uuid

    from tests.helpers import make_event

    topic = f"replay-seek-{uuid.uuid4().hex[:8]}"
    _create(kafka_bootstrap, topic)
    t1 = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    window = Window(t1, t1 + timedelta(minutes=15))
    published = {"early": t1 - timedelta(minutes=30), "on-time": t1 + timedelta(minutes=1),
                 "late": t1 + timedelta(hours=3)}
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for tenant, at in published.items():
        event = make_event(tenant=tenant, observed_at=t1 + timedelta(minutes=5))
        producer.send(topic, key=tenant.encode(), value=encode(event), timestamp_ms=int(at.timestamp() * 1000))
    producer.flush()
    producer.close()

    def tenants_read(**options) -> list[str]:
        return sorted(json.loads(r.value)["tenant"] for r in TopicReader(kafka_bootstrap, topic, **options).records(window))

    assert tenants_read() == ["late", "on-time"]
    assert tenants_read(late=timedelta(minutes=30)) == ["on-time"]
    assert tenants_read(margin=timedelta(hours=1)) == ["early", "late", "on-time"]


def test_a_topic_that_lost_the_window_to_retention_falls_back_to_the_store(kafka_bootstrap: str, mix: Mix) -> None:
    import uuid

    topic = f"replay-retention-{uuid.uuid4().hex[:8]}"
    _create(kafka_bootstrap, topic, partitions=1)
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
    for e in mix.inside:
        producer.send(topic, key=e.tenant.encode(), value=encode(e))
    producer.flush()
    producer.close()
    assert TopicReader(kafka_bootstrap, topic).holds(mix.window)

    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    admin.delete_records({TopicPartition(topic, 0): 5})  # what retention does to the oldest segment
    admin.close()

    assert not TopicReader(kafka_bootstrap, topic).holds(mix.window)
    report = replay(ReplayConfig(mix.window, mix.now, kafka_bootstrap, mix.store, calls_topic=topic))
    assert report.sources.calls.startswith("the store")
    assert any("no longer holds the whole window" in n for n in report.sources.notes)
    assert report.totals.calls == len(mix.inside)


def _create(bootstrap: str, topic: str, partitions: int = 2) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(topic, partitions, 1)])
    finally:
        admin.close()


@pytest.mark.parametrize("args, message", [
    (["--from", "yesterday", "--to", "2026-11-02T09:00Z"], "is not an ISO 8601 time"),
    (["--from", "2026-11-02T09:00Z", "--to", "2026-11-02T08:00Z"], "before it starts"),
    (["--from", "2026-11-02T08:00Z", "--to", "2026-11-02T09:00Z", "--format", "pdf"], "a PDF needs --out FILE"),
    (["--from", "2026-11-02T08:00Z", "--to", "2026-11-02T09:00Z", "--format", "xml"], "must be one of"),
])
def test_usage_errors_exit_2_and_say_what_is_wrong(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["replay", *args, "--policy", str(EXAMPLES / "woocommerce-shop.policy.yaml")])
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.split())


def test_a_naive_time_is_utc_and_the_window_is_half_open() -> None:
    start = parse_time("2026-11-02 08:00", "--from")
    window = Window(start, parse_time("2026-11-02T08:15:00+00:00", "--to"))
    assert start == datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    assert window.holds(start, "t") and not window.holds(window.end, "t")
    with pytest.raises(ReplayError, match="not an ISO 8601 time"):
        parse_time("8am", "--from")


async def test_redrive_sends_the_windows_redirected_requests_again_and_reports_the_answers(kafka_bootstrap: str,
                                                                                           tmp_path: Path) -> None:
    """A redirected call whose request is still on douane.redirect is answered again by the sovereign worker;
    one whose request is gone (kept 1 h) is reported missing. The original correlation id is not reused."""
    import asyncio
    import uuid

    from douane.contract import Action, Outcome, RedirectRequest
    from inference import InferenceWorker, StaticEngine
    from inference.worker import WorkerConfig
    from stream.replay.redrive import redrive
    from tests.helpers import make_event
    from tests.inference.conftest import send

    tenant = f"redrive-{uuid.uuid4().hex[:8]}"
    at = datetime.now(timezone.utc) - timedelta(minutes=2)
    kept, gone = (make_event(tenant=tenant, observed_at=at, outcome=Outcome(action=Action.REDIRECTED, status=200))
                  for _ in range(2))
    original = RedirectRequest(correlation_id=uuid.uuid4(), event_id=kept.event_id, tenant=tenant, kind="chat",
                               messages=[{"role": "user", "content": "Wo bleibt meine Bestellung?"}],
                               deadline=datetime.now(timezone.utc) - timedelta(minutes=1),
                               fallback_answer="Wir melden uns per E-Mail.")
    publish(kafka_bootstrap, [kept, gone])
    send(kafka_bootstrap, [original])
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}", start_from="latest"),
                             StaticEngine())
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(worker.ready.wait(), 60)
    try:
        window = Window(at - timedelta(minutes=1), at + timedelta(minutes=1), tenant)
        result = await asyncio.to_thread(redrive, kafka_bootstrap, window, [str(kept.event_id), str(gone.event_id)])
    finally:
        worker.stop()
        await running

    assert result.sent == 1 and result.missing == [str(gone.event_id)] and result.unanswered == []
    [answer] = result.answers
    assert answer.event_id == str(kept.event_id) and answer.correlation_id != str(original.correlation_id)
    assert answer.status == "ok" and answer.engine == "static" and answer.answer_chars == len("Wir melden uns per E-Mail.")


def test_a_progress_bar_on_stderr_only_for_long_windows(capsys: pytest.CaptureFixture) -> None:
    from douane.cli.replay import PROGRESS_FROM, _Progress

    short = _Progress()
    short(10, 100)
    short(100, 100)
    assert capsys.readouterr() == ("", "")
    long = _Progress()
    for done in (0, PROGRESS_FROM // 2, PROGRESS_FROM):
        long(done, PROGRESS_FROM)
    captured = capsys.readouterr()
    assert captured.out == "" and "reading" in captured.err


def test_redrive_is_reported_apart_from_the_read_only_replay(kafka_bootstrap: str, mix: Mix, monkeypatch) -> None:
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    window = ["--from", mix.window.start.isoformat(), "--to", mix.window.end.isoformat(), "--tenant", mix.tenant,
              "--policy", str(mix.policy_file), "--store", str(mix.store)]

    result = runner.invoke(app, ["replay", *window, "--redrive", "--redrive-timeout", "5"])
    assert result.exit_code == 1, result.output  # the stricter rules differ; the redrive itself had nothing to send
    assert "redrive (sent to douane.redirect; this part is not read-only): 0 redirected call(s), 0 request(s) " \
           "sent again, 0 answered" in result.stdout
    answer = json.loads(runner.invoke(app, ["replay", *window, "--redrive", "--json"]).stdout)
    assert answer["redrive"] == {"redirected_calls": 0, "sent": 0, "answers": [], "missing": [], "unanswered": []}

    no_broker = runner.invoke(app, ["replay", *window, "--source", "store", "--redrive"])
    assert no_broker.exit_code == 1 and "--redrive needs a broker" in no_broker.output
