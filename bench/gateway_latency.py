"""Benchmark: latency the gateway adds, side by side with the LiteLLM proxy on the same upstream.

One run, same machine, same local upstream (the OpenAI-wire stand-in, in a process of its own),
same 2 KB support-chat prompts carrying e-mail, phone, IBAN and an address. For each target —
the upstream called directly, Douane's gateway (detecting, judging and publishing every event to
a real broker), the same gateway as it was before events were made durable before answering (the
commit before ``collector/wal.py`` came, unpacked into a temporary folder with ``git archive``;
``--before REV`` picks another) and the LiteLLM proxy — it sends the same requests at the same
concurrency and prints p50/p99 latency and throughput; "added" is the target's percentile minus the direct one.
Issue 4's target: Douane's added p99 at most half of LiteLLM's; issue 13's: durability adds at
most 2 ms p99 at 200 req/s (the "douane" row against the "pre-WAL" one).

LiteLLM comes from PyPI into a bench-only virtualenv (``make bench-venv``: .venv-bench). Without
it the LiteLLM rows are left out and the script says so.
    .venv/bin/python bench/gateway_latency.py [--requests 400] [--concurrency 1 8] [--rates 50 200]

Closed loop (N in flight) shows capacity; open loop (a fixed arrival rate for every target)
is "the same load" the issue asks for: each proxy gets the same requests at the same times.

``--hostile`` (issue 13): one tenant sends a 1 MB prompt of digits and spaces (the worst case of
the phone detector) while another tenant keeps sending ordinary prompts, one at a time; it prints
how long the hostile call took and the latencies the other tenant saw meanwhile, for the gateway
now and before.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
from common import pct, private_broker, shop_prompt
from gateway_targets import (DOUANE_HEADERS, LITELLM, LITELLM_KEY, OTHER_KEY, litellm_version, start_douane,
                             start_litellm, start_upstream, stop, unpack, wal_commit)

async def load(base: str, bodies: list[dict], concurrency: int, headers: dict) -> tuple[list[float], float, int]:
    """Latencies (ms) of every request, and wall seconds, at ``concurrency`` requests in flight (none failed)."""
    queue: asyncio.Queue = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        async def worker() -> None:
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post("/chat/completions", json=body)
                latencies.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"{base}: {response.status_code} {response.text[:200]}")
        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, time.perf_counter() - started, 0


async def load_at_rate(base: str, bodies: list[dict], rate: float, headers: dict) -> tuple[list[float], float, int]:
    """Open loop: request i leaves at i/rate seconds whatever the answers do (the same load for every target).

    A connection the target dropped or never accepted (it fell behind the offered rate) is counted
    as failed and left out of the latencies; any answer other than 200 stops the run."""
    latencies: list[float] = []
    failed: list[str] = []
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        async def one(at: float, body: dict) -> None:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            sent = time.perf_counter()
            try:
                response = await client.post("/chat/completions", json=body)
            except httpx.TransportError as exc:
                failed.append(type(exc).__name__)
                return
            latencies.append((time.perf_counter() - sent) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{base}: {response.status_code} {response.text[:200]}")
        started = time.perf_counter()
        await asyncio.gather(*(one(started + i / rate, body) for i, body in enumerate(bodies)))
        return latencies, time.perf_counter() - started, len(failed)


def main() -> None:
    args = arguments()
    rng = random.Random(5)
    bodies = [{"model": "gpt-4o", "messages": [{"role": "user", "content": shop_prompt(rng)}]}
              for _ in range(args.requests)]
    procs: list[subprocess.Popen] = []
    with private_broker() as (bootstrap, _home), tempfile.TemporaryDirectory() as tmp:
        try:
            targets = start_targets(args, bootstrap, Path(tmp), procs)
            if args.hostile:
                for name, (url, headers) in targets.items():
                    if name.startswith("douane"):
                        asyncio.run(hostile(name, url, headers, bodies))
                return
            report(targets, bodies, args.concurrency, args.rates)
        finally:
            stop(procs)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 200],
                        help="open-loop arrival rates (req/s): the same offered load for every target")
    parser.add_argument("--servers", nargs="+", default=["uvicorn"], help="Douane server stacks (uvicorn, granian)")
    parser.add_argument("--before", default="wal", help="also run the gateway of this commit (default: the one "
                        "before durable-before-answered); 'none' to leave it out")
    parser.add_argument("--no-litellm", action="store_true", help="leave the LiteLLM proxy out")
    parser.add_argument("--hostile", action="store_true", help="only the 1 MB hostile prompt against another tenant")
    return parser.parse_args()


def start_targets(args: argparse.Namespace, bootstrap: str, tmp: Path, procs: list) -> dict[str, tuple[str, dict]]:
    """Every process to measure, by the name the table prints; each is appended to ``procs`` as it starts."""
    upstream_proc, upstream = start_upstream()
    procs.append(upstream_proc)
    targets = {"direct": (upstream + "/v1", {"Authorization": "Bearer sk-bench"})}
    for server in args.servers:
        proc, url = start_douane(upstream, bootstrap, tmp, server)
        procs.append(proc)
        targets[f"douane ({server})"] = (url, DOUANE_HEADERS)
    if args.before != "none":
        rev = f"{wal_commit()}^" if args.before == "wal" else args.before
        proc, url = start_douane(upstream, bootstrap, tmp, "uvicorn", code=unpack(rev, tmp), name="before")
        procs.append(proc)
        targets[f"douane {args.before if args.before != 'wal' else 'pre-WAL'}"] = (url, DOUANE_HEADERS)
    if args.hostile or args.no_litellm:
        return targets
    if LITELLM.exists():
        proc, url = start_litellm(upstream, tmp)
        procs.append(proc)
        targets[f"litellm {litellm_version()}"] = (url, {"Authorization": f"Bearer {LITELLM_KEY}"})
    else:
        print(f"LiteLLM not installed ({LITELLM}); run `make bench-venv` for the side-by-side rows")
    return targets


def report(targets: dict, bodies: list[dict], levels: list[int], rates: list[float]) -> None:
    print(f"gateway latency: {len(bodies)} requests of ~2 KB with personal data per target and level; 2 cores")
    for concurrency in levels:
        print(f"  closed loop, {concurrency} in flight:")
        show({name: asyncio.run(load(url, bodies, concurrency, headers))
              for name, (url, headers) in warmed(targets, bodies)})
    for rate in rates:
        print(f"  open loop, {rate:g} req/s offered to each:")
        show({name: asyncio.run(load_at_rate(url, bodies, rate, headers)) for name, (url, headers) in targets.items()})


async def hostile(name: str, base: str, headers: dict, bodies: list[dict]) -> None:
    """A 1 MB prompt of digits and spaces from one tenant; the other tenant's latencies meanwhile."""
    prompt = " ".join(f"{n:07d}" for n in range(125_000))  # ~1 MB
    other = {**headers, "X-Douane-Key": OTHER_KEY}
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        await client.post("/chat/completions", json=bodies[0], headers=other)  # warm
        started = time.perf_counter()
        attack = asyncio.create_task(client.post("/chat/completions", headers=headers, json={
            "model": "gpt-4o", "messages": [{"role": "user", "content": prompt}]}))
        seen: list[float] = []
        for body in bodies:
            if attack.done():
                break
            sent = time.perf_counter()
            await client.post("/chat/completions", json=body, headers=other)
            seen.append((time.perf_counter() - sent) * 1000)
        answer = await attack
        took = time.perf_counter() - started
    print(f"  {name}: 1 MB hostile prompt answered {answer.status_code} in {took:.2f} s "
          f"({answer.headers.get('x-douane-action', '-')}); the other tenant meanwhile: {len(seen)} calls, "
          f"p50 {pct(seen, 0.5):.1f} ms, p99 {pct(seen, 0.99):.1f} ms, max {max(seen, default=0):.1f} ms")


def warmed(targets: dict, bodies: list[dict]):
    for name, (url, headers) in targets.items():
        asyncio.run(load(url, bodies[:100], 4, headers))  # connections, caches, JIT-less warm-up of every path
        yield name, (url, headers)


def show(rows: dict[str, tuple[list[float], float, int]]) -> None:
    direct_p50, direct_p99 = pct(rows["direct"][0], 0.5), pct(rows["direct"][0], 0.99)
    for name, (lat, wall, failed) in rows.items():
        p50, p99 = pct(lat, 0.5), pct(lat, 0.99)
        added = "" if name == "direct" else f"  added p50 {p50 - direct_p50:6.2f} ms  p99 {p99 - direct_p99:7.2f} ms"
        dropped = f"  ({failed} connections dropped)" if failed else ""
        print(f"    {name:<20} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {len(lat) / wall:7.0f} req/s{added}{dropped}")


if __name__ == "__main__":
    main()
