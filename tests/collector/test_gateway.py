"""The official SDKs through the gateway, against a provider stand-in; events on the real broker."""

from __future__ import annotations

import asyncio
import uuid

import anthropic
import httpx
import openai
import pytest

from douane.contract.events import Action, ErrorClass
from inference import InferenceWorker, StaticEngine, WorkerConfig
from tests.collector.conftest import TENANT_KEY, Running
from tests.collector.events import content_hash, events_with

pytestmark = pytest.mark.kafka

HEADERS = {"X-Douane-Key": TENANT_KEY, "X-Douane-Platform": "woocommerce"}


def _openai(running: Running, feature: str, upstream: str | None = None) -> openai.OpenAI:
    headers = {**HEADERS, "X-Douane-Feature": feature} | ({"X-Douane-Upstream": upstream} if upstream else {})
    return openai.OpenAI(base_url=running.url + "/v1", api_key="sk-shop-secret", default_headers=headers,
                         max_retries=0)


def test_openai_sdk_plain_and_streaming_calls_are_forwarded_and_declared(running: Running, kafka_bootstrap) -> None:
    client = _openai(running, "product_discovery")
    asks = [f"Welcher Espresso passt zu Milch? {uuid.uuid4()}" for _ in range(2)]
    plain = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": asks[0]}])
    chunks = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": asks[1]}],
                                            stream=True)
    streamed = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert plain.choices[0].message.content == streamed == running.upstream.reply
    seen = running.upstream.seen[-1]
    assert seen.headers["authorization"] == "Bearer sk-shop-secret"  # the provider key passes untouched
    assert not any(k.lower().startswith("x-douane") for k in seen.headers)  # ours do not leave
    hashes = {content_hash({"messages": [{"content": a}]}) for a in asks}
    events = events_with(kafka_bootstrap, hashes, expect=2)
    assert len(events) == 2
    for event in events:
        assert (event.tap.kind.value, event.tenant, event.destination.host) == ("gateway", "shop-berlin",
                                                                                "api.openai.com")
        assert event.outcome.action is Action.FORWARDED and event.outcome.status == 200
        assert event.outcome.verdict.decision.value == "allowed" and event.outcome.response_bytes > 0


def test_responses_embeddings_and_anthropic_sdk_work_through_the_gateway(running: Running) -> None:
    client = _openai(running, "content")
    assert client.responses.create(model="gpt-4o", input="Produkttext für Bohnen").output_text == running.upstream.reply
    assert len(client.embeddings.create(model="text-embedding-3-small", input="Bohnen").data[0].embedding) == 8
    claude = anthropic.Anthropic(base_url=running.url, api_key="sk-ant-shop",
                                 default_headers={**HEADERS, "X-Douane-Feature": "product_discovery"}, max_retries=0)
    message = claude.messages.create(model="claude-sonnet-4", max_tokens=64,
                                     messages=[{"role": "user", "content": "Welche Mühle?"}])
    assert message.content[0].text == running.upstream.reply
    with claude.messages.stream(model="claude-sonnet-4", max_tokens=64,
                                messages=[{"role": "user", "content": "Welche Mühle?"}]) as stream:
        assert "".join(stream.text_stream).strip() == running.upstream.reply
    assert running.upstream.seen[-1].headers["authorization"] == "Bearer sk-ant-shop"  # as the SDK sent it


async def test_special_category_prompt_is_redirected_and_answered_by_the_sovereign_worker(
        running: Running, kafka_bootstrap: str) -> None:
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"gw-{uuid.uuid4()}"), StaticEngine())
    task = asyncio.create_task(worker.run())
    await asyncio.wait_for(worker.ready.wait(), 60)
    client = _openai(running, "support_chat", upstream="api.mistral.ai")
    ask = f"Ich bin schwanger und habe Diabetes, welcher Kaffee ist koffeinfrei? {uuid.uuid4()}"
    before = len(running.upstream.seen)
    reply = await asyncio.to_thread(client.chat.completions.create, model="mistral-large-latest",
                                    messages=[{"role": "user", "content": ask}])
    chunks = await asyncio.to_thread(lambda: list(client.chat.completions.create(
        model="mistral-large-latest", messages=[{"role": "user", "content": ask}], stream=True)))
    worker.stop()
    await task
    fallback = "Unser Assistent ist gerade nicht erreichbar. Wir melden uns per E-Mail bei Ihnen."
    assert reply.choices[0].message.content == fallback  # the static engine answers with the policy's text
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == fallback
    assert len(running.upstream.seen) == before  # nothing reached the provider
    [event, _] = events_with(kafka_bootstrap, {content_hash({"messages": [{"content": ask}]})}, expect=2)
    assert event.outcome.action is Action.REDIRECTED and event.personal_data.special_category
    assert "user.health_and_medical" in event.personal_data.category_keys
    assert "schwanger" not in event.model_dump_json()  # categories and a hash, never the text


def test_a_blocked_call_gets_an_openai_style_error(running: Running) -> None:
    client = _openai(running, "support_chat", upstream="api.anthropic.com")
    with pytest.raises(openai.PermissionDeniedError) as caught:
        client.chat.completions.create(model="claude", messages=[{"role": "user", "content": "Ich habe Krebs"}])
    assert caught.value.body["code"] == "blocked_by_policy"


def test_a_region_lockout_fails_over_to_the_sovereign_path(running: Running, kafka_bootstrap: str) -> None:
    running.upstream.fail(451)
    ask = f"Welche Bohnen? {uuid.uuid4()}"
    reply = _openai(running, "product_discovery").chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": ask}])
    assert reply.choices[0].message.content  # the fallback (no worker here) rather than an error
    [event] = events_with(kafka_bootstrap, {content_hash({"messages": [{"content": ask}]})}, expect=1)
    assert event.outcome.action is Action.FAILED_OVER and event.outcome.error_class is ErrorClass.LOCKOUT_451


@pytest.mark.parametrize("headers,body,status,code", [
    ({}, b'{"model":"m"}', 401, "missing_douane_key"),
    ({"X-Douane-Key": "wrong"}, b'{"model":"m"}', 401, "invalid_douane_key"),
    (HEADERS, b'{"model": "m", ', 400, "invalid_json"),
    (HEADERS, b'[1, 2]', 400, "invalid_json"),
    (HEADERS | {"X-Douane-Upstream": "evil.example.com"}, b'{"model":"m"}', 403, "unknown_upstream"),
    (HEADERS | {"X-Douane-Upstream": "169.254.169.254"}, b'{"model":"m"}', 403, "upstream_refused"),
    (HEADERS | {"X-Douane-Upstream": "10.0.0.5"}, b'{"model":"m"}', 403, "upstream_refused"),
    (HEADERS | {"X-Douane-Upstream": "8.8.8.8"}, b'{"model":"m"}', 403, "upstream_refused"),
    (HEADERS | {"X-Douane-Upstream": "localhost"}, b'{"model":"m"}', 403, "upstream_refused"),
    (HEADERS | {"X-Douane-Upstream": "api.openai.com:8080@evil"}, b'{"model":"m"}', 400, "bad_upstream"),
    (HEADERS, b'{"model":"m","messages":[{"role":"user","content":"' + b"x" * 3_000_000 + b'"}]}', 413,
     "body_too_large"),
])
def test_hostile_requests_are_refused_with_the_reason(running: Running, headers, body, status, code) -> None:
    response = httpx.post(running.url + "/v1/chat/completions", headers=headers, content=body, timeout=30)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_health_ready_and_metrics(running: Running) -> None:
    assert httpx.get(running.url + "/healthz").json() == {"status": "alive"}
    assert httpx.get(running.url + "/readyz").status_code == 200
    httpx.post(running.url + "/v1/chat/completions", headers={}, content=b"{}")
    assert 'douane_gateway_refused_total{code="missing_douane_key"}' in httpx.get(running.url + "/metrics").text
