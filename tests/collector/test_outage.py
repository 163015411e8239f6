"""Kafka goes away mid-run: calls still succeed, the spool grows, and when Kafka is back every
event arrives exactly once. Two ways to lose a broker: stopped (connections refused) and frozen
(SIGSTOP: requests are taken but never answered, so sends fall into doubt)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from collector.gateway.build import build_gateway
from deploy.kafka import LocalBroker
from deploy.standins.llm import LLMStandIn
from tests.collector.conftest import TENANT_KEY, gateway_config, ids_on_topic, serve, shut, wait_for

pytestmark = pytest.mark.kafka


@pytest.fixture
def gateway(broker: LocalBroker, tmp_path: Path):
    upstream = LLMStandIn().start()
    built = build_gateway(gateway_config(upstream, tmp_path / "spool"), broker.status().bootstrap, dev=True)
    built.outbox.ack_timeout = 1.0
    built.outbox.retry_every = 0.3
    server, port = serve(built)
    yield built, f"http://127.0.0.1:{port}"
    shut(server)
    built.outbox.close()
    upstream.stop()


def call(url: str, n: int) -> str:
    """One forwarded chat call; returns the event id the gateway gave it."""
    response = httpx.post(f"{url}/v1/chat/completions", timeout=10,
                          headers={"X-Douane-Key": TENANT_KEY, "Authorization": "Bearer sk-test"},
                          json={"model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"size chart {n}"}]})
    assert response.status_code == 200, response.text
    return response.headers["x-douane-event-id"]


def test_a_stopped_broker_loses_nothing_and_duplicates_nothing(broker: LocalBroker, gateway) -> None:
    built, url = gateway
    bootstrap = broker.status().bootstrap
    sent = [call(url, n) for n in range(10)]
    wait_for(lambda: built.outbox.published == 10, 20, "the first events")
    broker.down()
    outage = []
    for n in range(10, 25):
        started = time.monotonic()
        outage.append(call(url, n))
        assert time.monotonic() - started < 2.0  # the caller never waits on Kafka
    wait_for(lambda: len(built.outbox.spool) >= 10, 20, "the spool to grow")
    assert built.outbox.published == 10
    broker.up(timeout=120)
    sent += outage + [call(url, n) for n in range(25, 30)]
    wait_for(lambda: built.outbox.published == 30 and built.outbox.spool.empty, 60, "the spool to drain")
    seen = ids_on_topic(bootstrap)
    assert set(seen) == set(sent) and len(sent) == 30
    assert max(seen.values()) == 1


def test_a_frozen_broker_leaves_sends_in_doubt_and_they_are_settled_not_resent(broker: LocalBroker, gateway) -> None:
    built, url = gateway
    bootstrap = broker.status().bootstrap
    sent = [call(url, n) for n in range(5)]
    wait_for(lambda: built.outbox.published == 5, 20, "the first events")
    pid = broker.status().pid
    os.killpg(pid, signal.SIGSTOP)  # requests reach its socket; no answer comes
    sent += [call(url, n) for n in range(5, 12)]
    wait_for(lambda: len(built.outbox.spool) >= 1 and built.outbox.doubt.pending, 30, "a send in doubt")
    os.killpg(pid, signal.SIGCONT)
    wait_for(lambda: built.outbox.published == 12 and built.outbox.spool.empty, 60, "the spool to drain")
    seen = ids_on_topic(bootstrap)
    assert set(seen) == set(sent)
    assert max(seen.values()) == 1, f"duplicated: {[i for i, c in seen.items() if c > 1]}"
    assert not built.outbox.doubt.pending
    assert built.outbox.settled >= 1  # a send the frozen broker took late was found, not resent
