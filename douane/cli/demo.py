"""``douane demo``: the whole pipeline on synthetic shop traffic, on a real local broker."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import typer

from douane.cli.common import fail, settings, topics_on
from douane.cli.demo_place import env_prefix, run_folder, start_broker, stop_broker
from douane.cli.demo_screens import LiveView, last_screen, quiet_known_noise, show_replay

MALFORMED = (b"{not json", b'{"schema": "douane.ai_call/1", "tenant": "x"}', b"\xff\xfe binary")
EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
STRICTER = (EXAMPLES / "replay" / "woocommerce-shop.stricter.policy.yaml", EXAMPLES / "magento-health-shop.policy.yaml")
"""The rules the demo replays its outage under: the Berlin shop's policy made stricter, Lyon's as it is."""
TRAFFIC_START = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)  # the generator's default first day


def _outage():
    """The OpenAI region lockout in the demo's traffic."""
    from collector.synthetic import Outage

    return Outage("openai", TRAFFIC_START + timedelta(seconds=20), TRAFFIC_START + timedelta(minutes=10))


def demo(
    events: int = typer.Option(2000, min=1, max=1_000_000, help="synthetic AI calls to send"),
    seed: int = typer.Option(7, help="same seed, same traffic"),
    keep_broker: bool = typer.Option(False, help="leave running a broker the demo had to start itself"),
) -> None:
    """Start Kafka, publish synthetic shop traffic (and a few malformed records), audit it, store the evidence,
    replay the outage under a stricter policy; everything goes to a fresh run folder."""

    cfg = settings()
    quiet_known_noise()
    broker = start_broker(cfg)
    typer.echo(f"1/7 Kafka answers on {broker.address}")
    topics_on(broker.address, cfg)
    run = run_folder(cfg.home)
    store = run / "store"
    slack, standin = _slack(cfg, run / "reports")
    try:
        summary = asyncio.run(_run(broker.address, cfg.topic_partitions, events, seed, store, slack))
    finally:
        if standin is not None:
            standin.stop()
    _print_summary(summary)
    _print_alerts(summary, standin)
    _verify(store)
    replay_files = _replay(broker.address, store, run, summary)
    _reports(store, run / "reports", summary)
    stopped = broker.started_here and not keep_broker and stop_broker(cfg)
    last_screen(run, store, run / "reports", replay_files, broker, stopped, env_prefix())


def _slack(cfg, reports: Path):
    """A real workspace when DOUANE_SLACK_TOKEN is set, else the local Slack stand-in recording beside the PDFs."""
    from deploy.standins.slack import SlackStandIn
    from stream.alerts import SlackNotifier

    if cfg.slack_token is not None:
        return SlackNotifier.connect(cfg.slack_token.get_secret_value(), base_url=cfg.slack_base_url), None
    record = reports / "slack-calls.jsonl"  # beside the PDFs: what Slack would have shown
    record.parent.mkdir(parents=True, exist_ok=True)
    record.unlink(missing_ok=True)
    standin = SlackStandIn(record_to=record).start()
    return SlackNotifier.connect("xoxb-test-token", base_url=standin.base_url), standin


async def _run(address: str, partitions: int, count: int, seed: int, store: Path, slack) -> dict:
    from stream import CountingStage, PolicySet, SinkConfig, StoreSink, StreamApp, StreamConfig
    from stream.store import StoreWriter

    policies = PolicySet.load([EXAMPLES])
    writer = StoreWriter(store)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    run_id = uuid.uuid4().hex[:8]
    # Both groups start at the end, so earlier runs on the same broker are not counted again.
    counter = CountingStage()
    worker = StreamApp(StreamConfig(address, f"douane-demo-{run_id}", partitions, start_from="latest"), policies,
                       [counter], slack=slack)
    worker.stages.insert(0, worker.findings_publisher())
    sink = StoreSink(SinkConfig(address, f"douane-demo-sink-{run_id}", start_from="latest"), policies, writer)
    try:
        return await _drive(worker, counter, sink, address, count, seed, store)
    finally:
        writer.close()  # after the sink stopped: nothing writes any more


async def _drive(worker, counter, sink, address: str, count: int, seed: int, store: Path) -> dict:
    from collector import TrafficGenerator
    from stream import EmbeddedWorker

    outage = _outage()
    sinking = asyncio.create_task(sink.run())
    try:
        async with EmbeddedWorker(worker.app) as running:
            await running.wait_ready()
            await asyncio.wait_for(sink.ready.wait(), 60)
            traffic = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=seed, outages=(outage,)).events(count)
            typer.echo(f"2/7 publishing {count} synthetic AI calls of two shops and {len(MALFORMED)} malformed records")
            published_after = datetime.now(timezone.utc) - timedelta(seconds=1)
            started = time.monotonic()
            publishing = asyncio.create_task(asyncio.to_thread(_publish, address, traffic))
            await _live(lambda: publishing.done() and len(counter.seen) >= count and sink.stored >= count
                        and worker.dead_letters >= len(MALFORMED), counter, count, worker,
                        lambda: f"audited {len(counter.seen)} of {count} calls, stored {sink.stored} of {count}, "
                                f"refused {worker.dead_letters} of {len(MALFORMED)} malformed records")
            await publishing
            elapsed = time.monotonic() - started
            await _alerts_settled(worker)
    finally:
        sink.stop()
        await sinking
    return {"counter": counter, "stored": sink.stored, "dead_letters": worker.dead_letters,
            "elapsed": elapsed, "count": count, "path": store, "desk": worker.desk, "outage": outage,
            "published_after": published_after}


async def _alerts_settled(stream_app, timeout: float = 60.0) -> None:
    """Wait until every incident's latest state has reached Slack (or the timeout)."""
    from stream.alerts.incidents import needs_delivery

    deadline = time.monotonic() + timeout
    await asyncio.sleep(1.0)
    while time.monotonic() < deadline:
        states = [s for _, s in stream_app.desk.table.items() if s]
        if states and not any(needs_delivery(s) for s in states):
            return
        await asyncio.sleep(0.25)
    typer.echo("    (some alerts are still pending: Slack did not take them in time)", err=True)


def _publish(address: str, events: list) -> None:
    from collector import EventPublisher

    with EventPublisher(address) as publisher:
        for event in events:
            publisher.publish(event)
        for raw in MALFORMED:
            publisher.publish_raw("shop-berlin", raw)
        publisher.flush(timeout=60)


async def _live(done, counter, count: int, worker, status, timeout: float = 300.0) -> None:
    """The live view until ``done()``: calls/s, verdicts, redirects and incidents, one line a second;
    past ``timeout`` a clear exit saying which of the pipeline's counts fell short (``status()``)."""
    view = LiveView(count)
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            fail(f"the pipeline did not finish within {timeout:.0f} s: {status()}")
        view.update(counter.seen, _incidents(worker))
        await asyncio.sleep(0.05)
    view.update(counter.seen, _incidents(worker), final=True)


def _incidents(worker) -> int:
    return sum(1 for _, state in worker.desk.table.items() if state) if worker.desk is not None else 0


def _print_summary(summary: dict) -> None:
    counter = summary["counter"]
    rate = summary["count"] / summary["elapsed"] if summary["elapsed"] else float("inf")
    typer.echo(f"3/7 audited {len(counter.seen)} calls in {summary['elapsed']:.2f} s ({rate:,.0f}/s); "
               f"{summary['stored']} written to {summary['path']} by the store sink; "
               f"{summary['dead_letters']} malformed records went to douane.dlq with their reason")
    decisions = Counter((i.event.tenant, i.verdict.decision.value) for i in counter.seen)
    typer.echo("\n    calls  tenant        decision")
    for (tenant, decision), n in sorted(decisions.items()):
        typer.echo(f"    {n:5d}  {tenant:<13} {decision}")
    worst = Counter((i.event.tenant, i.provider or "unknown", f.rule_id) for i in counter.seen
                    for f in i.verdict.findings if f.severity.rank >= 3)
    typer.echo("\n    high/critical findings (tenant, provider, rule):")
    for (tenant, provider, rule), n in worst.most_common(8):
        typer.echo(f"    {n:5d}  {tenant:<13} {provider:<13} {rule}")


def _print_alerts(summary: dict, standin) -> None:
    desk = summary["desk"]
    states = [s for _, s in desk.table.items() if s]
    where = "the local Slack stand-in" if standin is not None else "Slack"
    by_channel = Counter(s["channel"] for s in states if s.get("channel"))
    typer.echo(f"\n4/7 {len(states)} incidents (not {sum(s['count'] for s in states)} alerts: one per incident) "
               f"sent to {where}: " + ", ".join(f"{n} in {ch}" for ch, n in sorted(by_channel.items())))
    if standin is not None:
        posts = standin.ok_calls("chat.postMessage")
        typer.echo(f"    Slack API calls: {len(posts)} chat.postMessage, "
                   f"{len(standin.ok_calls('chat.update'))} chat.update (counts updated in place)")
        for call in posts[:4]:
            typer.echo(f"    {call.args['channel']}: {call.args['text']}")
        typer.echo(f"    every Slack call, as JSON lines: {standin.record_to}")


def _reports(store: Path, folder: Path, summary: dict) -> None:
    """The Article 30 record and the DPIA of each shop, as PDF, for the days the traffic covered;
    the NIS2 drafts for any provider incident the stream opened."""
    from reports import article30_html, build_article30, build_dpia, build_incident, dpia_html, incident_html, to_pdf
    from stream.store import open_store

    days = [i.event.observed_at.date() for i in summary["counter"].seen]
    folder.mkdir(parents=True, exist_ok=True)
    con = open_store(store, read_only=True)
    written = []
    try:
        for tenant in ("shop-berlin", "shop-lyon"):
            report = build_article30(con, tenant, min(days), max(days))
            path = folder / f"article30-{tenant}.pdf"
            path.write_bytes(to_pdf(article30_html(report)))
            written.append(f"{path} ({len(report.activities)} activities)")
            dpia = build_dpia(con, tenant, min(days), max(days))
            path = folder / f"dpia-{tenant}.pdf"
            path.write_bytes(to_pdf(dpia_html(dpia)))
            written.append(f"{path} ({dpia.criteria_met} of 9 WP248 criteria, residual risk {dpia.residual_level})")
        for (ident,) in con.execute("SELECT incident_id FROM incidents WHERE kind = 'nis2' ORDER BY 1").fetchall():
            path = folder / f"nis2-{ident.replace('|', '_')}.pdf"
            path.write_bytes(to_pdf(incident_html(build_incident(con, ident))))
            written.append(f"{path} (NIS2 Art. 23 drafts)")
    finally:
        con.close()
    typer.echo("\n7/7 reports for the DPO:\n    " + "\n    ".join(written))


def _replay(address: str, store: Path, run: Path, summary: dict) -> list[Path]:
    """Replay the outage window from douane.ai-calls (this run's records only) under the stricter rules."""
    from stream import PolicySet
    from stream.replay import ReplayConfig, ReplayError, Window, replay
    from stream.replay.render import render

    outage = summary["outage"]
    config = ReplayConfig(Window(outage.start, outage.end), PolicySet.load(list(STRICTER)), address, store,
                          source="kafka", published_after=summary["published_after"])
    try:
        report = replay(config)
    except ReplayError as exc:
        fail(f"replay: {exc}")
    files = [run / "replay.txt", run / "replay.html", run / "replay.json"]
    for path, fmt in zip(files, ("table", "html", "json")):
        path.write_text(render(report, fmt))
    show_replay(report, files, "6/7")
    return files


def _verify(path: Path) -> None:
    from stream.store import open_store, verify

    con = open_store(path, read_only=True)
    report = verify(con)
    con.close()
    state = "intact" if report.intact else f"{len(report.problems)} PROBLEM(S)"
    typer.echo(f"\n5/7 ledger: {report.batches} batches, {report.records} records, {state}")
    if not report.intact:
        raise typer.Exit(1)
