"""Benchmark: sinks end to end (one, and two in one group), and the time from publication to Slack.

Prints its figures; asserts nothing. Targets (issues 5, 17): >= 20,000 events/s for one sink
(Kafka -> rules -> Parquet segments + signed ledger); p99 publication -> Slack call under 2 s.
    .venv/bin/python bench/stream_throughput.py [--events 50000] [--sinks 1 2] [--alerts 200]
Runs its own broker in a temporary folder, so the topics hold only its traffic.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import time
import uuid
from pathlib import Path

from common import pct, private_broker
from collector import EventPublisher, TrafficGenerator
from deploy.standins.slack import SlackStandIn
from rules.policy import load_policy
from stream import EmbeddedWorker, PolicySet, SinkConfig, StoreSink, StreamApp, StreamConfig
from stream.alerts import SlackNotifier
from stream.store import StoreWriter

EXAMPLES = Path(__file__).parents[1] / "deploy" / "examples"


def publish(bootstrap: str, events: list) -> float:
    started = time.perf_counter()
    with EventPublisher(bootstrap, linger_ms=20) as publisher:
        for event in events:
            publisher.publish(event)
        publisher.flush(timeout=120)
    return time.perf_counter() - started


def own_cpu_seconds() -> float:
    """CPU seconds used so far by this process alone (the sink: its Kafka client, its writes), all threads."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def cpu_seconds() -> float:
    """CPU seconds used so far by this process and its preparing processes (not the broker), from /proc."""
    import os

    me, total, tick = os.getpid(), 0.0, os.sysconf("SC_CLK_TCK")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            mine = int(entry) == me or (int(fields[1]) == me
                                         and b"multiprocessing" in Path(f"/proc/{entry}/cmdline").read_bytes())
        except OSError:
            continue  # the process ended meanwhile
        if mine:
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


async def throughput(bootstrap: str, n: int, store: Path, batch: int,
                     processes: int) -> tuple[float, int, float, float]:
    """Seconds from a ready sink to the last of ``n`` pre-published events committed, and CPU seconds meanwhile:
    of the sink and its preparing processes, and of the sink's own process."""
    writer = StoreWriter(store)
    config = SinkConfig(bootstrap, group=f"bench-{uuid.uuid4().hex[:8]}", batch_size=batch,
                        prepare_processes=processes)
    sink = StoreSink(config, PolicySet.load([EXAMPLES]), writer)
    running = asyncio.create_task(sink.run())
    await asyncio.wait_for(sink.ready.wait(), 60)
    started, cpu, own = time.perf_counter(), cpu_seconds(), own_cpu_seconds()
    while sink.stored < n:
        if running.done():
            running.result()  # the sink failed: say why instead of waiting forever
            raise RuntimeError(f"the sink stopped after {sink.stored:,} of {n:,} events")
        await asyncio.sleep(0.01)
    elapsed, cpu, own = time.perf_counter() - started, cpu_seconds() - cpu, own_cpu_seconds() - own
    sink.stop()
    await running
    writer.close()
    return elapsed, sink.stored, cpu, own


async def alert_latency(bootstrap: str, n: int, rate: float) -> list[float]:
    """Seconds from publishing an event that opens a new incident to Slack receiving its message."""
    slack = SlackStandIn().start()
    policy = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")
    policies = PolicySet([], default=policy)
    config = StreamConfig(bootstrap, app_id=f"bench-alerts-{uuid.uuid4().hex[:8]}", start_from="latest",
                          batch_wait=0.05)
    app = StreamApp(config, policies, [], slack=SlackNotifier.connect("xoxb-test-token", base_url=slack.base_url))
    app.stages.insert(0, app.findings_publisher())
    sent: dict[str, float] = {}
    run = uuid.uuid4().hex[:6]
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        publisher = EventPublisher(bootstrap, linger_ms=0)
        for i in range(n):
            tenant = f"bench-{run}-{i}"  # a new tenant: a new incident, a new message
            event = TrafficGenerator((tenant,), seed=i).next_event()
            event = event.model_copy(update={"destination": event.destination.model_copy(
                update={"host": "api.deepseek.com", "provider": "deepseek"})})
            sent[tenant] = time.monotonic()
            publisher.publish(event)
            publisher.flush()
            await asyncio.sleep(1 / rate)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(_first_posts(slack, run)) < n:
            await asyncio.sleep(0.05)
        publisher.close()
    slack.stop()
    firsts = _first_posts(slack, run)
    return sorted(firsts[t] - sent[t] for t in firsts)


def _first_posts(slack: SlackStandIn, run: str) -> dict[str, float]:
    firsts: dict[str, float] = {}
    for call in slack.ok_calls("chat.postMessage"):
        text = call.args.get("text", "")
        found = re.search(rf"bench-{run}-\d+", text)
        if found:
            firsts.setdefault(found.group(0), call.at)
    return firsts


def _sink_process(bootstrap: str, store: str, group: str, batch: int, built, go, started, stop) -> None:
    """One sink of a group, in a process of its own (run by ``sinks_throughput``): it is built (imports, policies,
    preparing processes), says so, and joins the group only when every sink is built, so none reads alone while
    the others still import."""
    async def run() -> None:
        writer = StoreWriter(store)
        sink = StoreSink(SinkConfig(bootstrap, group=group, batch_size=batch), PolicySet.load([EXAMPLES]), writer)
        built.set()
        while not go.is_set():
            await asyncio.sleep(0.01)
        running = asyncio.create_task(sink.run())
        await asyncio.wait_for(sink.ready.wait(), 120)
        started.set()
        while not stop.is_set():
            await asyncio.sleep(0.1)
        sink.stop()
        await running

    asyncio.run(run())


def sinks_throughput(bootstrap: str, n: int, store: Path, batch: int, sinks: int) -> tuple[float, int]:
    """Seconds from every sink's assignment to ``n`` events stored, and the events stored meanwhile.

    Every sink joins the group once all are built; what one stored before the last had its partitions is not counted.
    """
    import multiprocessing

    from stream.store import snapshot

    ctx = multiprocessing.get_context("spawn")
    group, go, stop = f"bench-{uuid.uuid4().hex[:8]}", ctx.Event(), ctx.Event()
    built, ready = [ctx.Event() for _ in range(sinks)], [ctx.Event() for _ in range(sinks)]
    procs = [ctx.Process(target=_sink_process, args=(bootstrap, str(store), group, batch, b, go, r, stop))
             for b, r in zip(built, ready)]
    for proc in procs:
        proc.start()
    for each in built:
        each.wait(180)
    go.set()
    for each in ready:
        each.wait(180)
    before, started = _stored(snapshot, store), time.perf_counter()
    while _stored(snapshot, store) < n:
        if not any(p.is_alive() for p in procs):
            raise RuntimeError("the sinks stopped")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    stop.set()
    for proc in procs:
        proc.join(60)
    return elapsed, n - before


def _stored(snapshot, store: Path) -> int:
    """Calls committed so far, from the ledger's entries (no DuckDB query)."""
    try:
        snap = snapshot(store)
    except Exception:  # noqa: BLE001 - the store is not created yet
        return 0
    return sum(e.count for name, es in snap.entries.items() if name.startswith("calls.") for e in es)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=SinkConfig.batch_size)
    parser.add_argument("--prepare-processes", type=int, nargs="+", default=[0, 1, 2],
                        help="preparing processes of the sink, one run each (0: a thread of the sink's process)")
    parser.add_argument("--sinks", type=int, nargs="*", default=[],
                        help="also run this many sinks (processes, one group, 2 preparing processes each)")
    parser.add_argument("--alerts", type=int, default=200, help="new incidents timed to Slack (0: skip)")
    parser.add_argument("--rate", type=float, default=20.0, help="alert-opening events per second")
    args = parser.parse_args()
    with private_broker() as (bootstrap, home):
        events = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=3).events(args.events)
        took = publish(bootstrap, events)
        print(f"published {args.events:,} events with kafka-python in {took:.1f} s (not part of the figure)")
        for run, processes in enumerate(args.prepare_processes):
            store = home / f"bench-{run}"  # a fresh store each run: a second would find every call known
            elapsed, seen, cpu, own = asyncio.run(throughput(bootstrap, args.events, store, args.batch, processes))
            print(f"one sink, Kafka -> rules -> Parquet + signed ledger (batches of {args.batch}, {processes} "
                  f"preparing process(es)): {seen:,} events in {elapsed:.2f} s = {seen / elapsed:,.0f} events/s; "
                  f"CPU of the sink and its preparing processes {cpu * 1e6 / seen:.1f} µs per call")
            if processes:
                print(f"    of which the sink's own process {own * 1e6 / seen:.1f} µs per call (one core: at most "
                      f"{seen / own:,.0f} events/s), its preparing processes {(cpu - own) * 1e6 / seen:.1f} µs")
        for sinks in args.sinks:
            elapsed, seen = sinks_throughput(bootstrap, args.events, home / f"bench-sinks-{sinks}", args.batch, sinks)
            if seen < args.batch * sinks:
                print(f"{sinks} sink process(es) in one group: the first stored {args.events - seen:,} of "
                      f"{args.events:,} events before the others had joined; no figure (run with more --events)")
                continue
            print(f"{sinks} sink process(es) in one group, one store: {seen:,} events (after all had joined) in "
                  f"{elapsed:.2f} s = {seen / elapsed:,.0f} events/s")
        latencies = asyncio.run(alert_latency(bootstrap, args.alerts, args.rate)) if args.alerts else []
    if latencies:
        ms = [x * 1000 for x in latencies]
        print(f"publication -> Slack chat.postMessage, {len(ms)} new incidents at {args.rate:g}/s: "
              f"p50 {pct(ms, .5):.0f} ms  p90 {pct(ms, .9):.0f} ms  p99 {pct(ms, .99):.0f} ms  max {max(ms):.0f} ms")


if __name__ == "__main__":
    main()
