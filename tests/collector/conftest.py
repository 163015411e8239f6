"""Fixtures for the gateway tests: a real uvicorn server, the real broker, provider stand-ins."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from collector.gateway import Gateway, GatewayConfig, TenantKey, hash_key
from collector.gateway.build import build_gateway
from deploy.standins.llm import LLMStandIn

EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
TENANT_KEY = "dk-shop-berlin-secret"


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
    server = uvicorn.Server(uvicorn.Config(gateway.app, host="127.0.0.1", port=0, log_level="warning",
                                           lifespan="on"))
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


def gateway_config(upstream: LLMStandIn, spool: Path, **overrides) -> GatewayConfig:
    hosts = ("api.openai.com", "api.anthropic.com", "api.mistral.ai", "shop-ai.openai.azure.com")
    return GatewayConfig(
        tenants=[TenantKey(id="shop-berlin", key_sha256=hash_key(TENANT_KEY),
                           policy=EXAMPLES / "woocommerce-shop.policy.yaml")],
        upstreams={h: upstream.origin for h in hosts}, spool_dir=spool, **{"redirect_timeout_s": 10, **overrides})


@pytest.fixture
def running(kafka_bootstrap: str, tmp_path: Path) -> Iterator[Running]:
    upstream = LLMStandIn().start()
    gateway = build_gateway(gateway_config(upstream, tmp_path / f"spool-{uuid.uuid4().hex[:6]}"), kafka_bootstrap)
    server, port = serve(gateway)
    yield Running(gateway, upstream, server, port)
    shut(server)
    gateway.outbox.close()
    upstream.stop()
