"""A worker killed with SIGKILL while it holds requests: its successor answers every one of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import pytest

from tests.helpers import free_port
from tests.inference.conftest import chat_request, collect, send

pytestmark = pytest.mark.kafka


def _start(bootstrap: str, group: str, port: int, delay_ms: int, start_from: str) -> subprocess.Popen:
    env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap}
    return subprocess.Popen(
        [sys.executable, "-m", "douane.cli", "inference", "worker", "--engine", "static", "--group", group,
         "--delay-ms", str(delay_ms), "--concurrency", "10", "--port", str(port),
         "--start-from", start_from],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _metric(port: int, name: str) -> float:
    """A metric's summed value from the worker's /metrics page (0 when it cannot be read yet)."""
    try:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=2).text
    except httpx.HTTPError:
        return 0.0
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(name))


def _ready(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


async def test_requests_held_by_a_killed_worker_are_answered_after_restart(kafka_bootstrap: str) -> None:
    group, port = f"kill-{uuid.uuid4()}", free_port()
    first = _start(kafka_bootstrap, group, port, delay_ms=60_000, start_from="latest")  # never finishes
    try:
        _wait(lambda: _ready(port) or first.poll() is not None, 60, "the first worker to be ready")
        assert first.poll() is None, first.stderr.read().decode()[-2000:]
        requests = [chat_request(f"Bestellung {i}", seconds=300) for i in range(10)]
        send(kafka_bootstrap, requests)
        _wait(lambda: _metric(port, "douane_inference_in_flight") >= 1, 30, "the worker to hold the requests")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    ids = {r.correlation_id for r in requests}
    assert await collect(kafka_bootstrap, ids, timeout=2) == []  # none was answered before the kill
    second = _start(kafka_bootstrap, group, free_port(), delay_ms=0, start_from="earliest")
    try:
        replies = await collect(kafka_bootstrap, ids, timeout=90)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0, second.stderr.read().decode()[-2000:]
    assert {r.correlation_id for r in replies} == ids
    assert all(r.text == "Fallback: we will e-mail you." for r in replies)
