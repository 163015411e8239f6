"""Every component's ``/metrics``, scraped over HTTP after real traffic: the names docs/operations.md
documents are served, by the component it names, with values that follow the traffic."""

from __future__ import annotations

import asyncio
import re
import urllib.request
import uuid
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from deploy.standins.slack import SlackStandIn
from douane.metrics import serve_metrics
from inference import InferenceWorker, StaticEngine, WorkerConfig, health_app
from stream import CountingStage, EmbeddedWorker, SinkConfig, StoreSink
from stream.metrics import sink_registry, worker_registry
from stream.store import StoreWriter
from tests.collector.conftest import running  # noqa: F401 - the gateway fixture
from tests.helpers import free_port
from tests.collector.test_gateway import _openai
from tests.inference.conftest import chat_request, collect, send
from tests.stream.conftest import publish, until
from tests.stream.test_alerts import POLICIES, alert_app, deepseek_calls

pytestmark = pytest.mark.kafka
DOCS = Path(__file__).parents[2] / "docs" / "operations.md"
ROW = re.compile(r"^\| `(douane_\w+)` \| ([a-z ]+) \|", re.M)


def documented() -> dict[str, set[str]]:
    """component -> metric names, from the table in docs/operations.md."""
    out: dict[str, set[str]] = {}
    for name, component in ROW.findall(DOCS.read_text()):
        out.setdefault(component.strip(), set()).add(name)
    return out


def samples(text: str) -> dict[str, float]:
    """Sample name (with its labels) -> value; family names map to the sum of their samples."""
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        out.setdefault(family.name, 0.0)
        for s in family.samples:
            labels = ",".join(f"{k}={v}" for k, v in sorted(s.labels.items()))
            out[f"{s.name}{{{labels}}}" if labels else s.name] = s.value
            out[s.name] = out.get(s.name, 0.0) + s.value if labels else s.value
    return out


def served(text: str, names: set[str]) -> set[str]:
    """The documented names missing from a scrape: a labelled counter no label set has reached yet is
    served as its family (``# TYPE douane_x counter``) without a ``douane_x_total`` sample."""
    found = samples(text)
    return {n for n in names if n not in found and n.removesuffix("_total") not in found}


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:
        return answer.read().decode()


def test_the_documentation_names_every_component() -> None:
    assert set(documented()) == {"gateway", "stream worker", "sink", "sovereign worker"}


def test_the_gateway_serves_its_outbox_and_breaker_metrics(running) -> None:  # noqa: F811
    answer = _openai(running, "product_discovery").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "Welcher Espresso passt zu Milch?"}])
    assert answer.choices
    text = httpx.get(f"{running.url}/metrics", timeout=10).text
    assert not served(text, documented()["gateway"])
    found = samples(text)
    assert found["douane_gateway_requests_total"] >= 1
    assert found["douane_outbox_drained_total"] + found["douane_outbox_spooled"] >= 1
    breakers = {k: v for k, v in found.items() if k.startswith("douane_breaker_state{") and "tenant=shop-berlin" in k}
    assert breakers and set(breakers.values()) == {0}, breakers  # the call went through: closed


async def test_the_stream_worker_serves_judging_and_alert_metrics(kafka_bootstrap, unique) -> None:
    slack = SlackStandIn().start()
    app = alert_app(kafka_bootstrap, f"metrics-{unique}", slack)
    judged = CountingStage()
    app.stages.append(judged)
    server = serve_metrics(worker_registry(app), port := free_port(), "127.0.0.1")
    events = deepseek_calls(f"shop-{unique}", 12)
    try:
        async with EmbeddedWorker(app.app) as worker:
            await worker.wait_ready()
            await asyncio.to_thread(publish, kafka_bootstrap, events)
            await until(lambda: len(judged.seen) >= len(events) and app.desk.alerts_sent >= 1, timeout=60,
                        what="the calls judged and an alert sent")
            text = await asyncio.to_thread(scrape, port)
    finally:
        server.shutdown()
        slack.stop()
    assert not served(text, documented()["stream worker"])
    found = samples(text)
    assert found["douane_stream_events_judged_total"] == len(events)
    assert found["douane_stream_findings_total"] >= len(events)  # every DeepSeek call with an e-mail is a finding
    assert found["douane_alerts_sent_total"] >= 1
    assert found["douane_alerts_redelivered_total"] == 0, "nothing was delivered twice"
    assert found["douane_alerts_outbox_entries{memory=sent}"] >= 0
    assert found["douane_stream_partitions"] == 6


async def test_the_sink_serves_rows_batches_and_lag(kafka_bootstrap, unique, tmp_path) -> None:
    writer = StoreWriter(tmp_path / "store")
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"sink-{unique}", start_from="latest"), POLICIES, writer)
    server = serve_metrics(sink_registry(sink), port := free_port(), "127.0.0.1")
    running_sink = asyncio.create_task(sink.run())
    events = deepseek_calls(f"shop-{unique}", 20)
    try:
        await asyncio.wait_for(sink.ready.wait(), 60)
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: sink.stored >= len(events), timeout=60, what="the calls stored")
        text = await asyncio.to_thread(scrape, port)
    finally:
        sink.stop()
        await running_sink
        writer.close()
        server.shutdown()
    assert not served(text, documented()["sink"])
    found = samples(text)
    assert found["douane_sink_rows_total"] == len(events)
    assert found["douane_sink_batches_total"] >= 1 and found["douane_sink_write_seconds_total"] > 0


async def test_the_sovereign_worker_serves_requests_latency_and_errors(kafka_bootstrap) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}"), StaticEngine())
    async with TestClient(TestServer(health_app(worker))) as client:
        task = asyncio.create_task(worker.run())
        await asyncio.wait_for(worker.ready.wait(), 60)
        request = chat_request()
        send(kafka_bootstrap, [request])
        await collect(kafka_bootstrap, {request.correlation_id})
        text = await (await client.get("/metrics")).text()
        worker.stop()
        await task
    assert not served(text, documented()["sovereign worker"])
    assert samples(text)["douane_inference_replies_total"] >= 1
