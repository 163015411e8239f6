"""``/readyz`` follows the broker promptly: once Kafka stops, the gateway says ``degraded`` within a
stated time, whether or not a call has been made since (before, it said ``ready`` until the sender
happened to fail a delivery, and forever while no call came)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from collector.gateway.build import build_gateway
from deploy.kafka import LocalBroker
from deploy.standins.llm import LLMStandIn
from tests.collector.conftest import gateway_config, serve, shut, wait_for
from tests.collector.test_outage import call

pytestmark = pytest.mark.kafka

DEGRADED_WITHIN_S = 3.0
"""The outbox checks the broker at least once a second while idle (``retry_every``), and a delivery that
fails says so at once: a stop is seen in about a second, the bound leaves room for a busy machine."""


@pytest.fixture
def gateway(broker: LocalBroker, tmp_path: Path):
    upstream = LLMStandIn().start()
    built = build_gateway(gateway_config(upstream, tmp_path / "spool"), broker.status().bootstrap, dev=True)
    server, port = serve(built)
    yield built, f"http://127.0.0.1:{port}"
    shut(server)
    built.outbox.close()
    upstream.stop()


def readiness(url: str) -> dict:
    return httpx.get(f"{url}/readyz", timeout=5).json()


@pytest.mark.parametrize("calls_after_the_stop", [0, 1])
def test_readyz_says_degraded_soon_after_the_broker_stops(broker: LocalBroker, gateway,
                                                          calls_after_the_stop: int) -> None:
    built, url = gateway
    call(url, 0)
    wait_for(lambda: readiness(url)["status"] == "ready" and built.outbox.published == 1, 60, "ready")
    broker.down()
    for n in range(calls_after_the_stop):
        call(url, n + 1)
    stopped = time.monotonic()  # the broker is gone and the calls answered (a call takes seconds on a busy machine)
    wait_for(lambda: readiness(url)["status"] != "ready", 30, "/readyz to notice the broker is gone")
    noticed = time.monotonic() - stopped
    ready = readiness(url)
    assert (ready["status"], ready["ready"]) == ("degraded", True)
    assert "kafka_unreachable" in ready["reasons"]
    assert ready["spooled"] == calls_after_the_stop
    assert noticed < DEGRADED_WITHIN_S, f"/readyz still said ready {noticed:.1f} s after the broker stopped"
