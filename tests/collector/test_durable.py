"""Durable before answered: a call's event is on disk before its caller has the answer, so a gateway
killed with SIGKILL during a Kafka outage loses none of the events it answered, and comes back (with
the broker still down) to send them exactly once when the broker returns. The gateway starts and
serves without Kafka, and redirects without it."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from collector.gateway.build import build_gateway
from collector.gateway.config import DirectEndpoint
from deploy.kafka import LocalBroker
from deploy.standins.llm import LLMStandIn
from douane.contract.events import Action, RedirectRoute
from tests.collector.conftest import (EXAMPLES, TENANT_KEY, gateway_config, ids_on_topic, serve, serve_process,
                                      shut, wait_for)
from tests.collector.events import content_hash, events_with
from tests.helpers import free_port

pytestmark = pytest.mark.kafka
HEADERS = {"X-Douane-Key": TENANT_KEY, "Authorization": "Bearer sk-test"}
HEALTH = "Ich bin schwanger, welcher Kaffee ist koffeinfrei?"


def _calls(url: str, count: int, answered: list[str], workers: int = 12) -> None:
    """``count`` chat calls from ``workers`` threads; the event ids of those answered 200 go to ``answered``."""
    lock = threading.Lock()
    clients = threading.local()

    def one(n: int) -> None:
        if not hasattr(clients, "http"):
            clients.http = httpx.Client(base_url=url, headers=HEADERS, timeout=10)
        try:
            response = clients.http.post("/v1/chat/completions", json={
                "model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"size chart {n}"}]})
        except httpx.HTTPError:
            return  # the gateway was killed under this call: it was never answered
        if response.status_code == 200:
            with lock:
                answered.append(response.headers["x-douane-event-id"])

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(count)))


@pytest.mark.timeout(900)
def test_sigkill_during_an_outage_loses_no_answered_event_and_duplicates_none(broker: LocalBroker,
                                                                               tmp_path: Path) -> None:
    bootstrap = broker.status().bootstrap
    upstream = LLMStandIn().start()
    config = tmp_path / "gateway.yaml"
    config.write_text(f"tenants:\n  - id: shop-berlin\n    key_sha256: "
                      "9cbe82e2f6b45d02e5ddc2bef24b0978cf1841ebee7d800e55bf4ffa60052fc8\n"
                      f"    policy: {EXAMPLES / 'woocommerce-shop.policy.yaml'}\n"
                      f"spool_dir: {tmp_path / 'spool'}\nredirect_timeout_s: 1\n"
                      f"upstreams:\n  api.openai.com: {upstream.origin}\n")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    gateway = serve_process(config, port, bootstrap, timeout=60)
    answered: list[str] = []
    _calls(url, 100, answered)  # some with the broker up
    broker.down()
    killer = threading.Thread(target=_kill_after, args=(gateway, answered, 1600))
    killer.start()
    _calls(url, 2500, answered)  # the broker is down; the gateway is killed in the middle of these
    killer.join()
    assert gateway.returncode == -signal.SIGKILL and len(answered) >= 1600
    restarted = serve_process(config, port, bootstrap, timeout=60)  # the broker is still down: it must start anyway
    try:
        ready = httpx.get(f"{url}/readyz").json()
        assert ready["status"] == "degraded" and "kafka_unreachable" in ready["reasons"], ready
        assert ready["spooled"] > 0
        broker.up(timeout=120)
        wait_for(lambda: set(answered) <= set(ids_on_topic(bootstrap)), 180, "every answered event on the topic")
        wait_for(lambda: httpx.get(f"{url}/readyz").json()["spooled"] == 0, 30, "the spool to drain")
        seen = ids_on_topic(bootstrap)
        assert max(seen.values()) == 1, f"duplicated: {[i for i, c in seen.items() if c > 1][:5]}"
        assert httpx.get(f"{url}/readyz").json()["status"] in ("ready", "degraded")
    finally:
        restarted.terminate()
        restarted.wait(30)
        upstream.stop()


def _kill_after(proc: subprocess.Popen, answered: list[str], count: int) -> None:
    while len(answered) < count and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)


def test_the_gateway_starts_and_serves_without_kafka_and_drains_when_it_returns(broker: LocalBroker,
                                                                                 tmp_path: Path) -> None:
    bootstrap = broker.status().bootstrap
    broker.down()
    upstream = LLMStandIn().start()
    built = build_gateway(gateway_config(upstream, tmp_path / "spool", redirect_timeout_s=1), bootstrap, dev=True)
    built.outbox.ack_timeout, built.outbox.retry_every = 1.0, 0.3
    server, port = serve(built)
    url = f"http://127.0.0.1:{port}"
    try:
        ready = httpx.get(f"{url}/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "degraded"
        assert {"kafka_unreachable", "redirect_topic_unavailable"} <= set(ready.json()["reasons"])
        sent = [_one(url, n) for n in range(20)]
        started = time.monotonic()
        redirected = httpx.post(f"{url}/v1/chat/completions", timeout=30, json={
            "model": "mistral-large-latest", "messages": [{"role": "user", "content": HEALTH}]},
            headers={**HEADERS, "X-Douane-Upstream": "api.mistral.ai", "X-Douane-Feature": "support_chat"})
        assert redirected.status_code == 200 and time.monotonic() - started < 1.0 + 0.5
        assert redirected.headers["x-douane-action"] == "redirected"
        assert redirected.json()["choices"][0]["message"]["content"]  # the policy's static answer
        sent.append(redirected.headers["x-douane-event-id"])
        broker.up(timeout=120)
        wait_for(lambda: built.outbox.spool.empty and built.outbox.published == 21, 90, "the spool to drain")
        seen = ids_on_topic(bootstrap)
        assert set(sent) <= set(seen) and max(seen.values()) == 1
        [event] = events_with(bootstrap, {content_hash({"messages": [{"content": HEALTH}]})}, expect=1)
        assert event.outcome.action is Action.REDIRECTED and event.outcome.redirect_route is RedirectRoute.STATIC
        wait_for(lambda: httpx.get(f"{url}/readyz").json()["status"] == "ready", 60, "ready again")
    finally:
        shut(server)
        built.outbox.close()
        upstream.stop()


def test_a_redirect_without_kafka_goes_to_the_direct_sovereign_endpoint(broker: LocalBroker,
                                                                         tmp_path: Path) -> None:
    bootstrap = broker.status().bootstrap
    broker.down()
    upstream = LLMStandIn().start()
    sovereign = LLMStandIn(reply="Antwort aus Frankfurt.").start()
    direct = DirectEndpoint(base_url=sovereign.origin, model="mistral-small-eu")
    built = build_gateway(gateway_config(upstream, tmp_path / "spool", redirect_timeout_s=2,
                                         direct_redirect=direct), bootstrap, dev=True)
    server, port = serve(built)
    try:
        started = time.monotonic()
        response = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", timeout=30, json={
            "model": "mistral-large-latest", "messages": [{"role": "user", "content": HEALTH}]},
            headers={**HEADERS, "X-Douane-Upstream": "api.mistral.ai", "X-Douane-Feature": "support_chat"})
        assert response.status_code == 200 and time.monotonic() - started < 2.5
        assert response.json()["choices"][0]["message"]["content"] == "Antwort aus Frankfurt."
        assert sovereign.seen[-1].body["messages"][-1]["content"].endswith(HEALTH)
        assert not upstream.seen  # the provider never saw it
        broker.up(timeout=120)
        [event] = events_with(bootstrap, {content_hash({"messages": [{"content": HEALTH}]})}, expect=1, timeout=60)
        assert event.outcome.redirect_route is RedirectRoute.DIRECT
    finally:
        shut(server)
        built.outbox.close()
        upstream.stop()
        sovereign.stop()


def _one(url: str, n: int) -> str:
    response = httpx.post(f"{url}/v1/chat/completions", headers=HEADERS, timeout=10, json={
        "model": "gpt-4o-mini", "messages": [{"role": "user", "content": f"size chart {n}"}]})
    assert response.status_code == 200, response.text
    return response.headers["x-douane-event-id"]
