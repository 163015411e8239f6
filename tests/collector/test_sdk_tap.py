"""The SDK tap: official openai/anthropic clients calling a provider directly declare each call on Kafka."""

from __future__ import annotations

import asyncio
import socket
import uuid
from pathlib import Path

import anthropic
import httpx
import httpx2
import openai
import pytest

from collector.outbox import Outbox
from collector.tap import SdkTap
from deploy.standins.llm import LLMStandIn
from douane.contract.events import ErrorClass, TapKind
from tests.collector.events import content_hash, events_with

pytestmark = pytest.mark.kafka


class ToStandIn:
    """Test plumbing: requests for api.openai.com / api.anthropic.com are carried to the local stand-in.

    ``http`` is the httpx module of the SDK under test (this openai and anthropic build on ``httpx2``).
    """

    def __init__(self, origin: str, http) -> None:
        self.origin = http.URL(origin)
        self.inner = http.HTTPTransport()
        self.async_inner = http.AsyncHTTPTransport()

    def _moved(self, request):
        request.url = request.url.copy_with(scheme=self.origin.scheme, host=self.origin.host, port=self.origin.port)
        return request

    def handle_request(self, request):
        return self.inner.handle_request(self._moved(request))

    async def handle_async_request(self, request):
        return await self.async_inner.handle_async_request(self._moved(request))

    def close(self) -> None:
        self.inner.close()

    async def aclose(self) -> None:
        await self.async_inner.aclose()


@pytest.fixture
def tap(kafka_bootstrap: str, tmp_path: Path):
    outbox = Outbox(kafka_bootstrap, tmp_path / "spool")
    upstream = LLMStandIn().start()
    yield SdkTap(tenant="shop-berlin", emit=outbox.emit, content_key=b"douane-dev-key", platform="magento",
                 feature="support_chat", name="magento-support"), upstream
    outbox.close()
    upstream.stop()


def ask(text: str) -> list[dict]:
    return [{"role": "user", "content": text}]


def test_openai_and_anthropic_clients_declare_their_direct_calls(tap, kafka_bootstrap: str) -> None:
    sdk_tap, upstream = tap
    asks = [f"Mein IBAN ist DE89 3704 0044 0532 0130 00, Mail jana.koch@example.de ({uuid.uuid4()})" for _ in range(3)]
    client = sdk_tap.wrap(openai.OpenAI(api_key="sk-shop", max_retries=0), transport=ToStandIn(upstream.origin, httpx2))
    plain = client.chat.completions.create(model="gpt-4o", messages=ask(asks[0]))
    streamed = "".join(c.choices[0].delta.content or "" for c in
                       client.chat.completions.create(model="gpt-4o", messages=ask(asks[1]), stream=True) if c.choices)
    assert plain.choices[0].message.content == streamed == upstream.reply  # the tap changes nothing
    claude = sdk_tap.wrap(anthropic.Anthropic(api_key="sk-ant", max_retries=0), transport=ToStandIn(upstream.origin, httpx2))
    assert claude.messages.create(model="claude-sonnet-4", max_tokens=32, messages=ask(asks[2])).content[0].text
    assert upstream.seen[-1].headers["authorization"] == "Bearer sk-ant"  # credentials pass untouched

    events = events_with(kafka_bootstrap, {content_hash({"messages": ask(a)}) for a in asks}, expect=3)
    assert sorted(e.destination.host for e in events) == ["api.anthropic.com", "api.openai.com", "api.openai.com"]
    for event in events:
        assert (event.tap.kind, event.tap.name, event.app.platform, event.app.feature) == (
            TapKind.SDK, "magento-support", "magento", "support_chat")
        assert {c.category for c in event.personal_data.categories} >= {"user.contact.email",
                                                                         "user.financial.bank_account"}
        assert event.outcome.status == 200 and event.outcome.error_class is None


def test_the_async_client_and_failed_calls_are_declared_with_their_error_class(tap, kafka_bootstrap: str) -> None:
    sdk_tap, upstream = tap
    asks = [f"Wo bleibt Paket {uuid.uuid4()}?" for _ in range(2)]
    client = sdk_tap.wrap(openai.AsyncOpenAI(api_key="sk-shop", max_retries=0),
                          transport=ToStandIn(upstream.origin, httpx2))
    upstream.fail(451)
    with pytest.raises(openai.APIStatusError):
        asyncio.run(client.chat.completions.create(model="gpt-4o", messages=ask(asks[0])))
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    refused = sdk_tap.wrap(openai.OpenAI(api_key="sk-shop", max_retries=0, base_url=f"http://127.0.0.1:{closed}/v1"))
    with pytest.raises(openai.APIConnectionError):
        refused.chat.completions.create(model="gpt-4o", messages=ask(asks[1]))

    events = {e.personal_data.content_hash: e for e in
              events_with(kafka_bootstrap, {content_hash({"messages": ask(a)}) for a in asks}, expect=2)}
    lockout = events[content_hash({"messages": ask(asks[0])})]
    assert (lockout.outcome.status, lockout.outcome.error_class) == (451, ErrorClass.LOCKOUT_451)
    failed = events[content_hash({"messages": ask(asks[1])})]
    assert (failed.outcome.status, failed.outcome.error_class) == (None, ErrorClass.CONNECTION)


def test_calls_that_are_not_ai_calls_are_not_declared() -> None:
    seen = []
    sdk_tap = SdkTap(tenant="shop-berlin", emit=seen.append, content_key=b"k")
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={}))
    with sdk_tap.httpx_client(transport=transport) as client:
        client.get("https://shop.example/health")
        client.post("https://api.openai.com/v1/chat/completions", json={"model": "gpt-4o", "messages": ask("hi")})
    assert [e.destination.path for e in seen] == ["/v1/chat/completions"]


def test_an_apps_consent_reference_travels_on_the_event_and_not_upstream(tap, kafka_bootstrap: str) -> None:
    """Art. 49(1)(a) is judged only with a per-call consent reference (rules/derogations.py)."""
    sdk_tap, upstream = tap
    text = f"Bitte an jana.koch@example.de ({uuid.uuid4()})"
    client = sdk_tap.wrap(openai.OpenAI(api_key="sk-shop", max_retries=0), transport=ToStandIn(upstream.origin, httpx2))
    client.chat.completions.create(model="gpt-4o", messages=ask(text), extra_headers={"X-Douane-Consent": "cns-4711"})
    [event] = events_with(kafka_bootstrap, {content_hash({"messages": ask(text)})}, expect=1)
    assert event.consent_ref == "cns-4711"
