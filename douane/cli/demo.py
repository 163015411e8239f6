"""``douane demo``: the whole pipeline on synthetic shop traffic, on a real local broker."""

from __future__ import annotations

import asyncio
import time
import uuid

import typer

from douane.cli.common import fail, settings

MALFORMED = (b"{not json", b'{"schema": "douane.ai_call/1", "tenant": "x"}', b"\xff\xfe binary")


def demo(
    events: int = typer.Option(200, min=1, max=1_000_000, help="synthetic AI calls to send"),
    seed: int = typer.Option(7, help="same seed, same traffic"),
) -> None:
    """Start Kafka, publish synthetic shop traffic (and a few malformed records), audit it with Faust."""
    from deploy.kafka import BrokerError, JarsError, LocalBroker, ensure_topics

    cfg = settings()
    try:
        address = cfg.kafka_bootstrap or LocalBroker(cfg.kafka_home, cfg.kafka_port,
                                                     cfg.kafka_controller_port, cfg.kafka_heap).up().bootstrap
    except (BrokerError, JarsError) as exc:
        fail(str(exc))
    typer.echo(f"1/3 Kafka answers on {address}")
    ensure_topics(address, cfg.topic_partitions)
    summary = asyncio.run(_run(address, cfg.topic_partitions, events, seed))
    _print_summary(summary)


async def _run(address: str, partitions: int, count: int, seed: int) -> dict:
    from collector import TrafficGenerator
    from stream import CountingHandler, EmbeddedWorker, StreamApp, StreamConfig

    run_id = uuid.uuid4().hex[:8]
    tenants = (f"shop-berlin-{run_id}", f"shop-lyon-{run_id}")
    handler = CountingHandler()
    # The demo's group starts at the end, so earlier runs on the same broker are not counted again.
    config = StreamConfig(address, f"douane-demo-{run_id}", partitions, start_from="latest")
    stream_app = StreamApp(config, handler)
    async with EmbeddedWorker(stream_app.app) as worker:
        await worker.wait_ready()
        started = time.monotonic()
        await asyncio.to_thread(_publish, address, TrafficGenerator(tenants, seed=seed).events(count), tenants[0])
        typer.echo(f"2/3 published {count} events and {len(MALFORMED)} malformed records")
        await _wait_for(lambda: len(handler.seen) >= count and stream_app.dead_letters >= len(MALFORMED), count,
                        handler)
        elapsed = time.monotonic() - started
    return {"handler": handler, "dead_letters": stream_app.dead_letters, "elapsed": elapsed, "count": count}


def _publish(address: str, events: list, tenant: str) -> None:
    from collector import EventPublisher

    with EventPublisher(address) as publisher:
        for event in events:
            publisher.publish(event)
        for raw in MALFORMED:
            publisher.publish_raw(tenant, raw)
        publisher.flush(timeout=30)


async def _wait_for(done, count: int, handler, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    last = -1
    while not done():
        if time.monotonic() > deadline:
            fail(f"the stream saw {len(handler.seen)} of {count} events within {timeout:.0f} s")
        if len(handler.seen) != last and len(handler.seen) % 100 == 0:
            last = len(handler.seen)
            typer.echo(f"    audited {last}/{count}", err=True)
        await asyncio.sleep(0.05)


def _print_summary(summary: dict) -> None:
    handler = summary["handler"]
    rate = summary["count"] / summary["elapsed"] if summary["elapsed"] else float("inf")
    typer.echo(f"3/3 the Faust agent audited {len(handler.seen)} events in {summary['elapsed']:.2f} s "
               f"({rate:,.0f}/s); {summary['dead_letters']} records went to douane.dlq with their reason")
    typer.echo("\n    calls  tenant                   provider      country")
    for (tenant, provider, country), n in sorted(handler.by_route.items(), key=lambda kv: -kv[1]):
        typer.echo(f"    {n:5d}  {tenant:<24} {provider:<13} {country}")
