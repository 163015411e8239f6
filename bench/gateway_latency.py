"""Benchmark: latency the gateway adds, side by side with the LiteLLM proxy on the same upstream.

One run, same machine, same local upstream (the OpenAI-wire stand-in, in a process of its own),
same 2 KB support-chat prompts carrying e-mail, phone, IBAN and an address. For each target —
the upstream called directly, Douane's gateway (detecting, judging and publishing every event to
a real broker), and the LiteLLM proxy — it sends the same requests at the same concurrency and
prints p50/p99 latency and throughput; "added" is the target's percentile minus the direct one.
Issue 4's target: Douane's added p99 at most half of LiteLLM's.

LiteLLM comes from PyPI into a bench-only virtualenv (``make bench-venv``: .venv-bench). Without
it the LiteLLM rows are left out and the script says so.
    .venv/bin/python bench/gateway_latency.py [--requests 1500] [--concurrency 1 8 32] [--rates 50 100]

Closed loop (N in flight) shows capacity; open loop (a fixed arrival rate for every target)
is "the same load" the issue asks for: each proxy gets the same requests at the same times.

``--hostile`` (issue 13): one tenant sends a 1 MB prompt of digits and spaces (the worst case of
the phone detector) while another tenant keeps sending ordinary prompts, one at a time; it prints
how long the hostile call took and the latencies the other tenant saw meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from common import pct, private_broker, shop_prompt

ROOT = Path(__file__).parents[1]
LITELLM = ROOT / ".venv-bench" / "bin" / "litellm"
KEY = "dk-shop-berlin-secret"
OTHER_KEY = "dk-kaffee-berlin-secret"
LITELLM_KEY = "sk-bench-" + "7" * 48


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def start_upstream() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "deploy.standins.llm"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def start_douane(upstream: str, bootstrap: str, folder: Path, server: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    config = folder / f"gateway-{server}.yaml"
    policy = ROOT / "deploy/examples/woocommerce-shop.policy.yaml"
    config.write_text(
        f"tenants:\n  - id: shop-berlin\n    key_sha256: {hashlib.sha256(KEY.encode()).hexdigest()}\n"
        f"    policy: {policy}\n  - id: kaffee-berlin\n    key_sha256: {hashlib.sha256(OTHER_KEY.encode()).hexdigest()}\n"
        f"    policy: {policy}\nupstreams:\n  api.openai.com: {upstream}\nspool_dir: {folder / ('spool-' + server)}\n")
    env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap}
    proc = subprocess.Popen([sys.executable, "-m", "douane.cli", "gateway", "serve", "--config", str(config),
                             "--port", str(port), "--server", server, "--dev"], cwd=ROOT, env=env)
    wait_http(f"http://127.0.0.1:{port}/healthz", 60, proc)
    return proc, f"http://127.0.0.1:{port}/v1"


def start_litellm(upstream: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    config = folder / "litellm.yaml"
    config.write_text("model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      model: openai/gpt-4o\n"
                      f"      api_base: {upstream}/v1\n      api_key: sk-bench\n"
                      "litellm_settings:\n  telemetry: false\n  set_verbose: false\n")
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
           "LITELLM_LOG": "ERROR", "LITELLM_MASTER_KEY": LITELLM_KEY}  # it authenticates callers, as Douane does
    proc = subprocess.Popen([str(LITELLM), "--config", str(config), "--port", str(port), "--num_workers", "1"],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", 180, proc)
    return proc, f"http://127.0.0.1:{port}/v1"


async def load(base: str, bodies: list[dict], concurrency: int, headers: dict) -> tuple[list[float], float]:
    """Latencies (ms) of every request, and wall seconds, at ``concurrency`` requests in flight."""
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
        return latencies, time.perf_counter() - started


async def load_at_rate(base: str, bodies: list[dict], rate: float, headers: dict) -> tuple[list[float], float]:
    """Open loop: request i leaves at i/rate seconds whatever the answers do (the same load for every target)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=64)
    async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits, timeout=60) as client:
        async def one(at: float, body: dict) -> None:
            await asyncio.sleep(max(0.0, at - time.perf_counter()))
            sent = time.perf_counter()
            response = await client.post("/chat/completions", json=body)
            latencies.append((time.perf_counter() - sent) * 1000)
            if response.status_code != 200:
                raise RuntimeError(f"{base}: {response.status_code} {response.text[:200]}")
        started = time.perf_counter()
        await asyncio.gather(*(one(started + i / rate, body) for i, body in enumerate(bodies)))
        return latencies, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument("--rates", type=float, nargs="+", default=[50, 100],
                        help="open-loop arrival rates (req/s): the same offered load for every target")
    parser.add_argument("--servers", nargs="+", default=["uvicorn", "granian"], help="Douane server stacks to compare")
    parser.add_argument("--hostile", action="store_true", help="only the 1 MB hostile prompt against another tenant")
    args = parser.parse_args()
    rng = random.Random(5)
    bodies = [{"model": "gpt-4o", "messages": [{"role": "user", "content": shop_prompt(rng)}]}
              for _ in range(args.requests)]
    procs: list[subprocess.Popen] = []
    with private_broker() as (bootstrap, _home), tempfile.TemporaryDirectory() as tmp:
        try:
            upstream_proc, upstream = start_upstream()
            procs.append(upstream_proc)
            targets = {"direct": (upstream + "/v1", {"Authorization": "Bearer sk-bench"})}
            for server in args.servers:
                proc, url = start_douane(upstream, bootstrap, Path(tmp), server)
                procs.append(proc)
                targets[f"douane ({server})"] = (url, {"Authorization": "Bearer sk-bench", "X-Douane-Key": KEY,
                                                        "X-Douane-Feature": "support_chat"})
            if args.hostile:
                for name, (url, headers) in targets.items():
                    if name != "direct":
                        asyncio.run(hostile(name, url, headers, bodies))
                return
            if LITELLM.exists():
                proc, url = start_litellm(upstream, Path(tmp))
                procs.append(proc)
                targets["litellm proxy"] = (url, {"Authorization": f"Bearer {LITELLM_KEY}"})
            else:
                print(f"LiteLLM not installed ({LITELLM}); run `make bench-venv` for the side-by-side rows")
            report(targets, bodies, args.concurrency, args.rates)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(30)


def report(targets: dict, bodies: list[dict], levels: list[int], rates: list[float]) -> None:
    print(f"gateway latency: {len(bodies)} requests of ~2 KB with personal data per target and level; 2 cores")
    for concurrency in levels:
        print(f"  closed loop, {concurrency} in flight:")
        show({name: asyncio.run(load(url, bodies, concurrency, headers)) for name, (url, headers) in warmed(targets, bodies)})
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


def show(rows: dict[str, tuple[list[float], float]]) -> None:
    direct_p50, direct_p99 = pct(rows["direct"][0], 0.5), pct(rows["direct"][0], 0.99)
    for name, (lat, wall) in rows.items():
        p50, p99 = pct(lat, 0.5), pct(lat, 0.99)
        added = "" if name == "direct" else f"  added p50 {p50 - direct_p50:6.2f} ms  p99 {p99 - direct_p99:7.2f} ms"
        print(f"    {name:<18} p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  {len(lat) / wall:7.0f} req/s{added}")


if __name__ == "__main__":
    main()
