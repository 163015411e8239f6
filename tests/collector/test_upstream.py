"""What comes back from a provider: redirects are never relayed or followed, compressed answers reach
the official SDKs intact, and one tenant's failures (a revoked key, its own breaker) never touch
another tenant's calls. A 403 is failed over only when the provider says it is a region lockout."""

from __future__ import annotations

import anthropic
import httpx
import openai
import pytest

from deploy.standins.llm import LLMStandIn
from tests.collector.conftest import OTHER_TENANT_KEY, TENANT_KEY, Running

pytestmark = pytest.mark.kafka

ASK = [{"role": "user", "content": "Welche Bohnen für Espresso?"}]
REGION_403 = {"error": {"code": "unsupported_country_region_territory", "type": "request_forbidden",
                        "message": "Country, region, or territory not supported"}}
KEY_403 = {"error": {"code": "invalid_api_key", "type": "invalid_request_error",
                     "message": "Your API key has been revoked."}}


def _client(running: Running, key: str = TENANT_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=running.url + "/v1", api_key="sk-shop", max_retries=0,
                         default_headers={"X-Douane-Key": key})


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_an_upstream_redirect_is_never_relayed_nor_followed(running: Running, status: int) -> None:
    elsewhere = LLMStandIn().start()
    try:
        running.upstream.redirect(status, elsewhere.origin + "/v1/chat/completions")
        with pytest.raises(openai.APIStatusError) as caught:
            _client(running).chat.completions.create(model="gpt-4o", messages=ASK)
        assert caught.value.status_code == 502 and caught.value.body["code"] == "upstream_redirect"
        assert "location" not in caught.value.response.headers
        assert elsewhere.seen == []  # neither the prompt nor the X-Douane-Key went to the other host
    finally:
        elsewhere.stop()


def test_compressed_answers_reach_the_openai_sdk_intact(running: Running) -> None:
    running.upstream.compress = True
    client = _client(running)
    plain = client.chat.completions.with_raw_response.create(model="gpt-4o", messages=ASK)
    assert plain.headers.get("content-encoding") in {"gzip", "deflate"}  # relayed as the provider sent it
    assert plain.parse().choices[0].message.content == running.upstream.reply
    chunks = client.chat.completions.create(model="gpt-4o", messages=ASK, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == running.upstream.reply
    assert "gzip" in running.upstream.seen[-1].headers["accept-encoding"]  # the SDK's own, passed through


def test_compressed_answers_reach_the_anthropic_sdk_intact(running: Running) -> None:
    running.upstream.compress = True
    claude = anthropic.Anthropic(base_url=running.url, api_key="sk-ant", max_retries=0,
                                 default_headers={"X-Douane-Key": TENANT_KEY})
    assert claude.messages.create(model="claude-sonnet-4", max_tokens=64,
                                  messages=ASK).content[0].text == running.upstream.reply
    with claude.messages.stream(model="claude-sonnet-4", max_tokens=64, messages=ASK) as stream:
        assert "".join(stream.text_stream).strip() == running.upstream.reply


def test_a_caller_that_accepts_no_encoding_gets_plain_bytes(running: Running) -> None:
    running.upstream.compress = True
    response = httpx.post(running.url + "/v1/chat/completions", json={"model": "gpt-4o", "messages": ASK},
                          headers={"X-Douane-Key": TENANT_KEY, "Accept-Encoding": "identity"})
    assert "content-encoding" not in response.headers and response.json()["choices"]
    assert running.upstream.seen[-1].headers["accept-encoding"] == "identity"


def test_a_revoked_key_is_the_tenants_own_403_and_never_opens_another_tenants_breaker(running: Running) -> None:
    running.upstream.fail(403, times=5, error=KEY_403)
    for _ in range(5):
        with pytest.raises(openai.PermissionDeniedError) as caught:
            _client(running).chat.completions.create(model="gpt-4o", messages=ASK)
        assert caught.value.body["code"] == "invalid_api_key"  # the provider's own answer, relayed
        assert caught.value.response.headers["x-douane-action"] == "forwarded"
    before = len(running.upstream.seen)
    reply = _client(running, OTHER_TENANT_KEY).chat.completions.with_raw_response.create(model="gpt-4o",
                                                                                         messages=ASK)
    assert reply.headers["x-douane-action"] == "forwarded" and len(running.upstream.seen) == before + 1


def test_a_region_lockout_403_fails_over_and_opens_only_that_tenants_breaker(running: Running) -> None:
    running.upstream.fail(403, times=3, error=REGION_403)
    for _ in range(3):
        reply = _client(running).chat.completions.with_raw_response.create(model="gpt-4o", messages=ASK)
        assert reply.headers["x-douane-action"] == "failed_over"
    before = len(running.upstream.seen)
    opened = _client(running).chat.completions.with_raw_response.create(model="gpt-4o", messages=ASK)
    assert opened.headers["x-douane-action"] == "failed_over" and len(running.upstream.seen) == before
    other = _client(running, OTHER_TENANT_KEY).chat.completions.with_raw_response.create(model="gpt-4o",
                                                                                         messages=ASK)
    assert other.headers["x-douane-action"] == "forwarded" and len(running.upstream.seen) == before + 1
