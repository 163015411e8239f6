"""Benchmark: local broker start time, and the round trip of one event to a Faust agent.

Prints its figures; asserts nothing. Run with `make bench` or
`.venv/bin/python bench/kafka_roundtrip.py [--starts 3] [--events 300]`.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from collector import EventPublisher, TrafficGenerator
from deploy.kafka import LocalBroker, ensure_topics, fetch_jars
from douane.contract import AICallEvent
from douane.settings import Settings
from stream import EmbeddedWorker, EventHandler, StreamApp, StreamConfig


def time_starts(libs: Path, runs: int) -> tuple[list[float], list[float]]:
    """Cold starts (format + start + first metadata answer) and warm restarts of the same data."""
    cold, warm = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            broker = LocalBroker(Path(home), port=0, controller_port=0, libs=libs)
            started = time.perf_counter()
            broker.up()
            cold.append(time.perf_counter() - started)
            broker.down()
            started = time.perf_counter()
            broker.up()
            warm.append(time.perf_counter() - started)
            broker.down()
    return cold, warm


class ArrivalClock(EventHandler):
    """Records when each event reached the agent."""

    def __init__(self) -> None:
        self.arrived: dict[uuid.UUID, float] = {}

    async def handle(self, event: AICallEvent) -> None:
        self.arrived[event.event_id] = time.perf_counter()


async def time_round_trips(bootstrap: str, count: int, warmup: int = 20) -> list[float]:
    """Publish one event at a time with kafka-python; time until the Faust agent has it."""
    clock = ArrivalClock()
    app = StreamApp(StreamConfig(bootstrap, app_id=f"bench-{uuid.uuid4().hex[:8]}"), clock)
    traffic = TrafficGenerator((f"bench-{uuid.uuid4().hex[:8]}",))
    latencies = []
    publisher = EventPublisher(bootstrap, linger_ms=0)
    async with EmbeddedWorker(app.app) as worker:
        await worker.wait_ready()
        for i in range(warmup + count):
            event = traffic.next_event()
            sent = time.perf_counter()
            publisher.publish(event)
            publisher.flush()
            while event.event_id not in clock.arrived:
                await asyncio.sleep(0.0005)
            if i >= warmup:
                latencies.append(clock.arrived[event.event_id] - sent)
    publisher.close()
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=3)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    libs = fetch_jars(Settings().kafka_home.absolute() / "libs")

    cold, warm = time_starts(libs, args.starts)
    print(f"broker cold start (format+start+metadata): median {statistics.median(cold):.2f} s  "
          f"runs {', '.join(f'{s:.2f}' for s in cold)}")
    print(f"broker warm restart (existing data):       median {statistics.median(warm):.2f} s  "
          f"runs {', '.join(f'{s:.2f}' for s in warm)}")

    with tempfile.TemporaryDirectory() as home:
        broker = LocalBroker(Path(home), port=0, controller_port=0, libs=libs)
        bootstrap = broker.up().bootstrap
        ensure_topics(bootstrap, Settings().topic_partitions)
        try:
            lat = asyncio.run(time_round_trips(bootstrap, args.events))
        finally:
            broker.down()
    ms = [x * 1000 for x in lat]
    print(f"round trip kafka-python -> broker -> Faust agent, one event in flight, n={len(ms)}: "
          f"p50 {pct(ms, .5):.1f} ms  p90 {pct(ms, .9):.1f} ms  p99 {pct(ms, .99):.1f} ms  max {max(ms):.1f} ms")


if __name__ == "__main__":
    main()
