"""The sovereign worker on the real broker: requests in, one reply each out, whatever happens."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest

from deploy.standins.llm import LLMStandIn
from douane.contract import TOPICS, ReplyStatus, encode
from inference import InferenceWorker, OpenAIEngine, StaticEngine, WorkerConfig, health_app
from tests.inference.conftest import chat_request, collect, send, until

pytestmark = pytest.mark.kafka


def _asked(body: dict) -> str | None:
    """The first chat message of a request the stand-in saw (earlier tests' requests are seen too)."""
    return (body.get("messages") or [{}])[0].get("content")


async def _run(worker: InferenceWorker) -> asyncio.Task:
    task = asyncio.create_task(worker.run())
    await until(worker.ready.is_set, 60, "partitions assigned to the worker")
    return task


async def _stop(worker: InferenceWorker, task: asyncio.Task) -> None:
    worker.stop()
    await asyncio.wait_for(task, 30)


async def test_static_worker_answers_every_request_with_the_policy_fallback(kafka_bootstrap: str) -> None:
    requests = [chat_request(f"Frage {i}") for i in range(20)]
    completion = chat_request(kind="completion", messages=[], prompt="Beschreibe Espresso", fallback=None)
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}"), StaticEngine("default"))
    task = await _run(worker)
    send(kafka_bootstrap, [*requests, completion])
    replies = await collect(kafka_bootstrap, {r.correlation_id for r in [*requests, completion]})
    await _stop(worker, task)
    by_id = {r.correlation_id: r for r in replies}
    assert len(by_id) == 21
    assert all(by_id[r.correlation_id].text == "Fallback: we will e-mail you." for r in requests)
    assert by_id[completion.correlation_id].text == "default"
    assert all(r.status is ReplyStatus.OK and r.engine == "static" for r in replies)


async def test_expired_and_unreadable_requests_get_error_replies_not_silence(kafka_bootstrap: str) -> None:
    expired = chat_request(seconds=-1)
    broken_id = uuid.uuid4()
    anonymous = (b"not-a-uuid", b"{broken")
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}"), StaticEngine())
    task = await _run(worker)
    send(kafka_bootstrap, [expired, (str(broken_id).encode(), b'{"schema": "douane.redirect/1"}'), anonymous])
    replies = {r.correlation_id: r for r in await collect(kafka_bootstrap, {expired.correlation_id, broken_id})}
    await until(lambda: worker.metrics.replies.labels("static", "dead_letter", "undecodable")._value.get() >= 1,
                30, "the anonymous record to be dead-lettered")
    await _stop(worker, task)
    assert replies[expired.correlation_id].error.kind == "expired"
    assert replies[broken_id].status is ReplyStatus.ERROR
    assert replies[broken_id].error.kind == "bad_request"
    assert "correlation_id" in replies[broken_id].error.message


async def test_openai_engine_answers_from_a_sovereign_server_and_reports_its_failures(kafka_bootstrap: str) -> None:
    server = LLMStandIn(reply="Antwort aus Frankfurt.").start()
    engine = OpenAIEngine(server.origin, "llama-sovereign", retries=1, backoff_s=0.01)
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}", concurrency=1), engine)
    task = await _run(worker)
    good = chat_request("Wie lange dauert der Versand?", max_tokens=32)
    send(kafka_bootstrap, [good])
    [reply] = await collect(kafka_bootstrap, {good.correlation_id})
    server.fail(503, times=2)  # both attempts of the next request fail
    failing = chat_request("noch eine Frage")
    send(kafka_bootstrap, [failing])
    [failed] = await collect(kafka_bootstrap, {failing.correlation_id})
    await _stop(worker, task)
    server.stop()
    assert (reply.text, reply.engine, reply.model) == ("Antwort aus Frankfurt.", "openai", "llama-sovereign")
    assert reply.completion_tokens == 3
    asked = [s.body for s in server.seen if _asked(s.body) == "Wie lange dauert der Versand?"]
    assert asked == [{"model": "llama-sovereign", "max_tokens": 32, "temperature": 0.0,
                      "messages": [{"role": "user", "content": "Wie lange dauert der Versand?"}]}]
    assert failed.error.kind == "engine_error" and "503" in failed.error.message
    assert sum(_asked(s.body) == "noch eine Frage" for s in server.seen) == 2  # one retry


async def test_health_endpoints_report_readiness_and_metrics(kafka_bootstrap: str) -> None:
    from aiohttp.test_utils import TestClient, TestServer

    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"g-{uuid.uuid4()}"), StaticEngine())
    async with TestClient(TestServer(health_app(worker))) as client:
        assert (await client.get("/readyz")).status == 503
        task = await _run(worker)
        request = chat_request()
        send(kafka_bootstrap, [request])
        await collect(kafka_bootstrap, {request.correlation_id})
        assert (await client.get("/readyz")).status == 200
        metrics = await (await client.get("/metrics")).text()
        await _stop(worker, task)
    assert 'douane_inference_replies_total{engine="static",kind="",status="ok"}' in metrics
    assert "douane_inference_latency_seconds_bucket" in metrics


def test_a_reply_is_keyed_by_its_correlation_id() -> None:
    request = chat_request()
    assert encode(request).startswith(b'{"schema":"douane.redirect/1"')
    assert TOPICS.responses.retention_ms == TOPICS.redirect.retention_ms
    assert TOPICS.responses.longest_life_ms() == TOPICS.redirect.longest_life_ms() <= 3_600_000
    assert httpx.URL("http://x").host == "x"  # httpx is a runtime dependency of the openai engine
