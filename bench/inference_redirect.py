"""Benchmark: redirected requests through Kafka and the sovereign worker, against calling the engine directly.

Prints its figures; asserts nothing. Both sides use the same OpenAI-compatible engine — a
local stand-in server answering at once — so the difference is what the redirect path adds:
gateway -> douane.redirect -> worker -> engine -> douane.responses -> gateway.
    .venv/bin/python bench/inference_redirect.py [--requests 500] [--concurrency 32]
Runs its own broker in a temporary folder.
"""

from __future__ import annotations

import argparse
import asyncio
import time
import uuid
from datetime import datetime, timedelta, timezone

from common import pct, private_broker

from collector.redirect import RedirectClient
from deploy.standins.llm import LLMStandIn
from douane.contract import RedirectRequest
from inference import InferenceWorker, OpenAIEngine, WorkerConfig


def request() -> RedirectRequest:
    return RedirectRequest(correlation_id=uuid.uuid4(), tenant="shop-berlin", kind="chat", max_tokens=64,
                           messages=[{"role": "user", "content": "Wo ist meine Bestellung 4711? " * 20}],
                           deadline=datetime.now(timezone.utc) + timedelta(seconds=60))


async def timed(call, n: int, concurrency: int) -> tuple[list[float], float]:
    """Per-call latencies (ms) and the wall time of ``n`` calls, ``concurrency`` at a time."""
    gate = asyncio.Semaphore(concurrency)
    latencies: list[float] = []

    async def one() -> None:
        async with gate:
            started = time.perf_counter()
            await call()
            latencies.append((time.perf_counter() - started) * 1000)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return latencies, time.perf_counter() - started


async def run(bootstrap: str, n: int, concurrency: int) -> None:
    server = LLMStandIn(reply="Ihre Bestellung ist unterwegs.").start()
    direct = OpenAIEngine(server.origin, "bench")
    worker = InferenceWorker(WorkerConfig(bootstrap, group="bench", concurrency=concurrency),
                             OpenAIEngine(server.origin, "bench"))
    running = asyncio.create_task(worker.run())
    await asyncio.wait_for(worker.ready.wait(), 60)
    client = RedirectClient(bootstrap)
    await client.start()

    async def redirected() -> None:
        reply = await client.ask(request(), timeout=60)
        assert reply is not None and reply.status.value == "ok", reply

    await timed(redirected, 50, concurrency)  # warm-up: connections, first fetches
    for label, call, c in (("direct engine call", lambda: direct.generate(request()), 1),
                           ("redirect via Kafka", redirected, 1),
                           ("direct engine call", lambda: direct.generate(request()), concurrency),
                           ("redirect via Kafka", redirected, concurrency)):
        ms, wall = await timed(call, n, c)
        print(f"{label:<20} concurrency {c:>3}: {n / wall:>7,.0f} req/s   p50 {pct(ms, .5):6.1f} ms   "
              f"p99 {pct(ms, .99):6.1f} ms")
    await client.close()
    worker.stop()
    await running
    await direct.close()
    server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    with private_broker() as (bootstrap, _):
        asyncio.run(run(bootstrap, args.requests, args.concurrency))


if __name__ == "__main__":
    main()
