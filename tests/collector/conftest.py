"""Fixtures for the gateway tests: a real uvicorn server, the real broker, provider stand-ins."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from kafka import KafkaConsumer, TopicPartition

from collector.gateway import Gateway, GatewayConfig, TenantKey, hash_key
from collector.gateway.build import build_gateway
from collector.gateway.server import uvicorn_config
from deploy.standins.llm import LLMStandIn
from douane.contract import TOPICS, AICallEvent, decode

ROOT = Path(__file__).parents[2]
EXAMPLES = ROOT / "deploy" / "examples"
TENANT_KEY = "dk-shop-berlin-secret"
OTHER_TENANT_KEY = "dk-kaffee-berlin-secret"  # a second shop under the same policy


@dataclass
class Running:
    """A gateway serving on a loopback port, and the provider stand-in behind it."""

    gateway: Gateway
    upstream: LLMStandIn
    server: uvicorn.Server
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def serve(gateway: Gateway) -> tuple[uvicorn.Server, int]:
    """Run ``gateway`` with uvicorn in a thread; returns once it accepts connections."""
    server = uvicorn.Server(uvicorn_config(gateway.app, gateway.config, "127.0.0.1", 0, lifespan="on"))
    _threads[id(server)] = thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not (server.started and server.servers):
        assert time.monotonic() < deadline, "gateway did not start"
        time.sleep(0.02)
    return server, server.servers[0].sockets[0].getsockname()[1]


def shut(server: uvicorn.Server) -> None:
    """Stop a server started by ``serve`` and wait for its shutdown (the lifespan closes the Kafka clients)."""
    server.should_exit = True
    _threads.pop(id(server)).join(30)


_threads: dict[int, threading.Thread] = {}


def gateway_process(config: Path, port: int, bootstrap: str, server: str = "uvicorn", **popen) -> subprocess.Popen:
    """``douane gateway serve --dev`` as a user starts it, in a process of its own (``popen``: its pipes)."""
    env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap}
    return subprocess.Popen([sys.executable, "-m", "douane.cli", "gateway", "serve", "--config", str(config),
                             "--port", str(port), "--server", server, "--dev"], cwd=ROOT, env=env, **popen)


def serve_process(config: Path, port: int, bootstrap: str, server: str = "uvicorn",
                  timeout: float = 90.0) -> subprocess.Popen:
    """A gateway process, returned once its ``/healthz`` answers 200. Its log goes to a file beside the config,
    named in a failure (a pipe nobody reads would fill up and stall the gateway's logging)."""
    log = config.with_suffix(f".{server}.log")
    with open(log, "a") as stderr:
        proc = gateway_process(config, port, bootstrap, server, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.monotonic() + timeout
    while True:
        assert proc.poll() is None, f"the gateway exited with {proc.returncode}:\n{log.read_text()[-4000:]}"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{server} did not answer in {timeout:.0f} s:\n{log.read_text()[-4000:]}"
        time.sleep(0.2)


def gateway_config(upstream: LLMStandIn, spool: Path, **overrides) -> GatewayConfig:
    hosts = ("api.openai.com", "api.anthropic.com", "api.mistral.ai", "shop-ai.openai.azure.com")
    return GatewayConfig(
        tenants=[TenantKey(id="shop-berlin", key_sha256=hash_key(TENANT_KEY),
                           policy=EXAMPLES / "woocommerce-shop.policy.yaml"),
                 TenantKey(id="kaffee-berlin", key_sha256=hash_key(OTHER_TENANT_KEY),
                           policy=EXAMPLES / "woocommerce-shop.policy.yaml")],
        upstreams={h: upstream.origin for h in hosts}, spool_dir=spool, **{"redirect_timeout_s": 10, **overrides})


@pytest.fixture
def running(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Running]:
    upstream = LLMStandIn().start()
    gateway = build_gateway(gateway_config(upstream, tmp_path / f"spool-{uuid.uuid4().hex[:6]}"), kafka_bootstrap,
                            dev=True)
    server, port = serve(gateway)
    yield Running(gateway, upstream, server, port)
    shut(server)
    gateway.outbox.close()
    upstream.stop()


def wait_for(condition, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def ids_on_topic(bootstrap: str) -> Counter:
    """How many times each event id is on douane.ai-calls."""
    return Counter(str(decode(value, AICallEvent).event_id) for value in topic_values(bootstrap))


def topic_values(bootstrap: str) -> list[bytes]:
    """Every record on douane.ai-calls, as bytes."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    parts = [TopicPartition(TOPICS.ai_calls.name, p) for p in consumer.partitions_for_topic(TOPICS.ai_calls.name)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    ends = consumer.end_offsets(parts)
    values: list[bytes] = []
    while any(consumer.position(tp) < ends[tp] for tp in parts):
        for records in consumer.poll(timeout_ms=1000).values():
            values += [r.value for r in records]
    consumer.close()
    return values


