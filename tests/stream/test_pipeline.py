"""The audit pipeline end to end on the real broker and real DuckDB files."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from collector import TrafficGenerator
from deploy.kafka import LocalBroker
from douane.contract import decode_verdict
from stream import CountingStage, EmbeddedWorker, PolicySet, SinkConfig, StoreSink, StreamApp, StreamConfig
from stream.store import StoreWriter, open_store, verify
from stream.store.heads import head_file_lines
from stream.store.signing import load_public
from tests.helpers import read_all
from tests.stream.conftest import EXAMPLE_POLICY, EXAMPLES, publish, until

pytestmark = pytest.mark.kafka


def traffic(tenant: str, n: int, seed: int = 4) -> list:
    return TrafficGenerator((tenant,), seed=seed).events(n)


def rows(con, sql: str, *params) -> int:
    return con.execute(sql, list(params)).fetchall()[0][0]


async def test_events_in_rows_and_findings_out_and_no_duplicates_when_sent_twice(
        kafka_bootstrap: str, unique: str, tmp_path: Path) -> None:
    tenant = f"shop-{unique}"
    events = traffic(tenant, 400)
    policies = PolicySet([], default=EXAMPLE_POLICY)
    expected = [policies.audit(e) for e in events]
    writer = StoreWriter(tmp_path / "store.duckdb")
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"sink-{unique}", start_from="latest"), policies, writer)
    worker = StreamApp(StreamConfig(kafka_bootstrap, app_id=f"test-{unique}", start_from="latest"), policies, [])
    judged = CountingStage()
    worker.stages += [worker.findings_publisher(), judged]  # counted once its verdict is sent
    running = asyncio.create_task(sink.run())
    async with EmbeddedWorker(worker.app) as w:
        await w.wait_ready()
        await asyncio.wait_for(sink.ready.wait(), 60)
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: sink.stored >= 400, timeout=60, what="400 stored events")
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: sink.duplicates >= 400, timeout=60, what="the redelivered 400 to be skipped")
        await until(lambda: sum(i.event.tenant == tenant for i in judged.seen) >= 800, timeout=60,
                    what="the Faust worker to judge both deliveries")
    sink.stop()
    await running
    writer.close()

    con = open_store(tmp_path / "store.duckdb", read_only=True)
    assert rows(con, "SELECT count(*) FROM calls WHERE tenant = ?", tenant) == 400
    assert rows(con, "SELECT count(DISTINCT event_id) FROM calls WHERE tenant = ?", tenant) == 400
    assert rows(con, "SELECT count(*) FROM findings WHERE tenant = ?", tenant) == sum(
        len(i.verdict.findings) for i in expected)
    assert rows(con, "SELECT count(*) FROM calls WHERE tenant = ? AND decision = 'unauthorised'", tenant) == sum(
        i.verdict.decision.value == "unauthorised" for i in expected)
    assert verify(con).intact
    con.close()

    published = await asyncio.to_thread(read_all, kafka_bootstrap, "douane.findings", 10.0,
                                        lambda r: r.key == tenant.encode())
    verdicts = {decode_verdict(r.value).event_id for r in published}
    worth_a_look = {i.event.event_id for i in expected if i.verdict.severity.rank >= 1}
    assert verdicts == worth_a_look


class _Worker:
    """`douane stream sink` in a subprocess, with its log read in a thread."""

    def __init__(self, bootstrap: str, store: Path, app_id: str, home: Path) -> None:
        env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap, "DOUANE_HOME": str(home)}
        cmd = [sys.executable, "-m", "douane.cli", "stream", "sink", "--policy", str(EXAMPLES),
               "--default-policy", str(EXAMPLES / "woocommerce-shop.policy.yaml"), "--store", str(store),
               "--app-id", app_id, "--batch-size", "250"]
        self.proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.stored: list[float] = []
        self.ready = threading.Event()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.log.append(line)
            if "stored batch" in line:
                self.stored.append(time.monotonic())
            elif "stream.sink ready: reading" in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 240) -> None:
        """Until the group gave the sink its partitions: starting (imports, preparing processes) takes
        seconds on a quiet machine and a minute or more on a loaded one."""
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.1):
            assert self.proc.poll() is None, "".join(self.log[-30:])
            assert time.monotonic() < deadline, f"not ready in {timeout} s:\n" + "".join(self.log[-30:])

    def wait_batches(self, n: int, timeout: float = 90) -> None:
        """Until ``n`` batches are stored, ``timeout`` seconds from when the sink is ready."""
        self.wait_ready()
        deadline = time.monotonic() + timeout
        while len(self.stored) < n:
            assert self.proc.poll() is None, "".join(self.log[-30:])
            assert time.monotonic() < deadline, f"no {n} batches in {timeout} s:\n" + "".join(self.log[-30:])
            time.sleep(0.05)

    def wait_idle(self, quiet: float = 4.0, timeout: float = 120) -> None:
        """Until no batch was stored for ``quiet`` seconds, ``timeout`` seconds from when the sink is ready."""
        self.wait_ready()
        deadline = time.monotonic() + timeout
        while not self.stored or time.monotonic() - self.stored[-1] < quiet:
            assert self.proc.poll() is None, "".join(self.log[-30:])
            assert time.monotonic() < deadline, "never went idle:\n" + "".join(self.log[-30:])
            time.sleep(0.1)

    def stop(self, sig: int) -> None:
        self.proc.send_signal(sig)
        self.proc.wait(timeout=60)

    def children(self) -> list[int]:
        """The sink's preparing processes."""
        tasks = Path(f"/proc/{self.proc.pid}/task")
        return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]


def _gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_stream_loses_and_duplicates_nothing(broker: LocalBroker, unique: str,
                                                                 tmp_path: Path) -> None:
    kafka_bootstrap = broker.status().bootstrap  # its own: a new group on the suite's reads every test's calls first
    tenant = f"shop-{unique}"
    events = traffic(tenant, 3000, seed=8)
    publish(kafka_bootstrap, events)
    store = tmp_path / "store.duckdb"

    first = _Worker(kafka_bootstrap, store, f"sink-{unique}", tmp_path)
    first.wait_batches(3)
    preparing = first.children()
    assert len(preparing) >= 2  # the sink prepares batches in processes of its own (the default: two)
    first.stop(signal.SIGKILL)
    assert first.proc.returncode == -signal.SIGKILL
    assert all(_gone(pid) for pid in preparing), "a preparing process outlived the killed sink"

    second = _Worker(kafka_bootstrap, store, f"sink-{unique}", tmp_path)
    second.wait_idle()
    second.stop(signal.SIGTERM)

    con = open_store(store, read_only=True)
    assert rows(con, "SELECT count(*) FROM calls WHERE tenant = ?", tenant) == 3000
    assert rows(con, "SELECT count(DISTINCT event_id) FROM calls WHERE tenant = ?", tenant) == 3000
    policies = PolicySet([], default=EXAMPLE_POLICY)
    assert rows(con, "SELECT count(*) FROM findings WHERE tenant = ?", tenant) == sum(
        len(policies.audit(e).verdict.findings) for e in events)
    report = verify(con, load_public(tmp_path / "keys" / "ledger.ed25519"),  # the sink's home: its key, its heads
                    head_file_lines(tmp_path / "ledger-heads.jsonl"))
    assert report.intact, [str(p) for p in report.problems]
    con.close()
