"""`douane stream worker` keeps Douane's log lines: its format, and the Kafka clients' repeat limit.

Faust's worker replaces the root logger's handlers by default; with them went the format set by
``douane.cli.common.setup_logging`` and the ``RepeatLimit`` filter, so a broker outage flooded the
worker's stderr with the same client line on every retry.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

from deploy.kafka import LocalBroker
from stream.runner import STOP_DEADLINE
from tests.stream.conftest import EXAMPLES

pytestmark = pytest.mark.kafka

OURS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) (\S+) (.*)$")
CLIENTS = ("kafka", "aiokafka")


class _Lines:
    """A pipe of a subprocess read into a list by a thread."""

    def __init__(self, pipe) -> None:
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(pipe,), daemon=True).start()

    def _read(self, pipe) -> None:
        for line in pipe:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, proc: subprocess.Popen, timeout: float, other: "_Lines") -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            log = "\n".join((self.lines + other.lines)[-40:])
            assert proc.poll() is None, f"the worker exited {proc.returncode}:\n{log}"
            assert time.monotonic() < deadline, f"no {text!r} in {timeout:.0f} s:\n{log}"
            time.sleep(0.1)


def _worker(bootstrap: str, home: Path, app_id: str) -> subprocess.Popen:
    env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap, "DOUANE_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "douane.cli", "stream", "worker", "--policy", str(EXAMPLES),
           "--default-policy", str(EXAMPLES / "woocommerce-shop.policy.yaml"), "--app-id", app_id]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _worker_in_outage(broker: LocalBroker, home: Path, app_id: str, seconds: float) -> tuple[subprocess.Popen, _Lines]:
    """A worker started as the CLI starts it, its broker stopped once it runs, ``seconds`` later (aiokafka
    retries its connections every few hundred ms meanwhile): the process and its stderr lines."""
    proc = _worker(broker.status().bootstrap, home, app_id)
    out, err = _Lines(proc.stdout), _Lines(proc.stderr)
    try:
        err.wait_for("JudgeService]: Starting", proc, 120, out)
        time.sleep(5)
        broker.down()
        time.sleep(seconds)
    except BaseException:
        proc.kill()
        raise
    return proc, err


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:  # a worker whose broker is gone may not finish its stop
        proc.kill()
        proc.wait(timeout=10)


def _client_line(match: re.Match) -> bool:
    name = match.group(2)
    return any(name == c or name.startswith(c + ".") for c in CLIENTS)


def test_the_worker_logs_in_douane_format_and_limits_the_clients_repeats_during_an_outage(
        broker: LocalBroker, unique: str, tmp_path: Path) -> None:
    proc, err = _worker_in_outage(broker, tmp_path, f"log-{unique}", 15)
    _stop(proc)
    lines = [line for line in err.lines if line.strip()]
    foreign = [line for line in lines if re.match(r"^\[\d{4}-\d\d-\d\d ", line)]
    assert not foreign, f"{len(foreign)} lines in Faust's own format:\n" + "\n".join(foreign[:10])
    ours = [m for m in map(OURS.match, lines) if m]
    assert any(m.group(1) == "INFO" and "Starting" in m.group(3) for m in ours), \
        "the worker's --loglevel info was not applied:\n" + "\n".join(lines[:40])
    client = [m for m in ours if _client_line(m)]
    assert client, "the outage left no Kafka client line:\n" + "\n".join(lines[-40:])
    repeated = _within_the_minute(client)
    assert not repeated, f"client lines repeated within the minute: {dict(repeated)}"


def _within_the_minute(lines: list[re.Match]) -> Counter:
    """How often each (logger, message) was printed less than the limit's minute after its previous print."""
    last: dict[tuple[str, str], float] = {}
    again: Counter = Counter()
    for line in lines:
        key, at = line.group(2, 3), _time(line)
        again[key] += key in last and at - last[key] < 60
        last[key] = at
    return +again


def _time(line: re.Match) -> float:
    return datetime.strptime(line.group(0)[:23], "%Y-%m-%d %H:%M:%S,%f").timestamp()


def test_a_worker_whose_broker_is_gone_still_stops_on_sigterm(broker: LocalBroker, unique: str,
                                                             tmp_path: Path) -> None:
    """Faust's consumer thread can die of a cancelled fetch while it stops with no broker, and the worker
    then waits for it for ever; a stop has a deadline, after which the worker exits and says why (what it
    had not committed is judged again by the next owner)."""
    proc, err = _worker_in_outage(broker, tmp_path, f"stop-{unique}", 10)
    try:
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=STOP_DEADLINE + 15)
        took = time.monotonic() - asked
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert took <= STOP_DEADLINE + 15
    assert proc.returncode != 0 or took < STOP_DEADLINE, "a stop cut short must not exit 0"
    if took >= STOP_DEADLINE:
        assert any("did not stop within" in line for line in err.lines), "\n".join(err.lines[-20:])
