"""The gateway's door under hostile input: odd JSON gets a coded 4xx, headers and bodies are bounded in
size and time, an Azure path is the path sent upstream, and no request content reaches a log, the
spool or the topic. Responses say what happened (X-Douane-Action, -Decision, -Rule)."""

from __future__ import annotations

import json
import logging
import socket
import time
import uuid
from pathlib import Path

import httpx
import pytest

from collector.gateway.build import DevKeyRefused, build_gateway
from collector.gateway.config import DEV_CONTENT_KEY
from deploy.standins.llm import LLMStandIn
from douane.contract.events import ErrorClass
from tests.collector.conftest import TENANT_KEY, Running, gateway_config, serve, shut, topic_values
from tests.collector.events import content_hash, events_with

pytestmark = pytest.mark.kafka

HEADERS = {"X-Douane-Key": TENANT_KEY}
CANARY = "canary-7f3a9e"


@pytest.fixture
def strict(kafka_bootstrap: str, tmp_path: Path):
    """A gateway with short header, body and stream limits."""
    upstream = LLMStandIn().start()
    config = gateway_config(upstream, tmp_path / f"spool-{uuid.uuid4().hex[:6]}", header_timeout_s=1,
                            body_timeout_s=1, stream_timeout_s=1, max_header_bytes=16 * 1024)
    gateway = build_gateway(config, kafka_bootstrap, dev=True)
    server, port = serve(gateway)
    yield Running(gateway, upstream, server, port)
    shut(server)
    gateway.outbox.close()
    upstream.stop()


@pytest.mark.parametrize("body,code", [
    (b'{"messages": 5}', "invalid_messages"),
    (b'{"messages": [{"role": "user", "content": 5}]}', "invalid_messages"),
    (b'{"messages": [{"role": ["user"], "content": "hi"}]}', "invalid_messages"),
    (b'{"prompt": {"a": 1}}', "invalid_field"),
    (b'{"input": 7}', "invalid_field"),
    (b'{"system": true}', "invalid_field"),
    (b"true", "invalid_json"),
    (b"1.5", "invalid_json"),
    (b"[" * 100_000 + b"]" * 100_000, "json_too_deep"),
    (b'{"messages": [{"content": ' + b"[" * 200 + b"]" * 200 + b"}]}", "json_too_deep"),
])
def test_odd_json_gets_a_coded_4xx(running: Running, body: bytes, code: str) -> None:
    response = httpx.post(running.url + "/v1/chat/completions", headers=HEADERS, content=body, timeout=30)
    assert response.status_code == 400, response.text[:300]
    assert response.json()["error"]["code"] == code


def test_a_redirected_message_too_long_for_the_sovereign_model_is_a_413_and_its_text_is_never_logged(
        running: Running, caplog) -> None:
    text = f"Ich bin schwanger. {CANARY} jana.koch@example.de DE89370400440532013000 " + "x" * 200_001
    with caplog.at_level(logging.DEBUG):
        response = httpx.post(running.url + "/v1/chat/completions", timeout=30,
                              headers={**HEADERS, "X-Douane-Upstream": "api.mistral.ai"},
                              json={"model": "mistral-large-latest", "messages": [{"role": "user", "content": text}]})
    assert response.status_code == 413 and response.json()["error"]["code"] == "redirect_too_large"
    assert CANARY not in caplog.text and "jana.koch" not in caplog.text and CANARY not in response.text


@pytest.mark.parametrize("deployment", ["%2e%2e", "%2E%2e", "%2e", ".hidden", "..x"])
def test_an_azure_deployment_with_dot_segments_is_refused(running: Running, deployment: str) -> None:
    response = httpx.post(f"{running.url}/openai/deployments/{deployment}/chat/completions?api-version=2024-06-01",
                          headers={**HEADERS, "X-Douane-Upstream": "shop-ai.openai.azure.com"},
                          json={"messages": [{"role": "user", "content": "hi"}]})
    assert response.status_code == 404 and response.json()["error"]["code"] == "unknown_route"
    assert not running.upstream.seen


def test_an_azure_call_records_the_path_the_upstream_saw(running: Running, kafka_bootstrap: str) -> None:
    ask = f"Lieferzeit? {uuid.uuid4()}"
    response = httpx.post(f"{running.url}/openai/deployments/shop-gpt.v2/chat/completions?api-version=2024-06-01",
                          headers={**HEADERS, "X-Douane-Upstream": "shop-ai.openai.azure.com"},
                          json={"messages": [{"role": "user", "content": ask}]})
    assert response.status_code == 200
    [event] = events_with(kafka_bootstrap, {content_hash({"messages": [{"content": ask}]})}, expect=1)
    assert event.destination.path == running.upstream.seen[-1].path == "/openai/deployments/shop-gpt.v2/chat/completions"


def test_the_built_in_content_key_is_refused_without_dev(kafka_bootstrap: str, tmp_path: Path) -> None:
    config = gateway_config(LLMStandIn(), tmp_path / "spool")
    assert config.content_key.get_secret_value() == DEV_CONTENT_KEY
    with pytest.raises(DevKeyRefused, match="content_key.*--dev"):
        build_gateway(config, kafka_bootstrap)
    keyed = config.model_copy(update={"content_key": type(config.content_key)("a-real-secret")})
    build_gateway(keyed, kafka_bootstrap).outbox.close()


def test_the_content_key_can_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collector.gateway.config import load_gateway_config

    examples = Path(__file__).parents[2] / "deploy" / "examples"
    (tmp_path / "gateway.yaml").write_text((examples / "gateway.yaml").read_text().replace(
        "woocommerce-shop.policy.yaml", str(examples / "woocommerce-shop.policy.yaml")))
    assert load_gateway_config(tmp_path / "gateway.yaml").content_key.get_secret_value() == DEV_CONTENT_KEY
    monkeypatch.setenv("DOUANE_CONTENT_KEY", "from-a-secret")
    assert load_gateway_config(tmp_path / "gateway.yaml").content_key.get_secret_value() == "from-a-secret"


def test_responses_say_what_happened_and_a_block_names_its_rule(running: Running) -> None:
    forwarded = httpx.post(running.url + "/v1/chat/completions", headers=HEADERS,
                           json={"model": "gpt-4o", "messages": [{"role": "user", "content": "Welche Bohnen?"}]})
    assert (forwarded.headers["x-douane-action"], forwarded.headers["x-douane-decision"]) == ("forwarded",
                                                                                             "allowed")
    blocked = httpx.post(running.url + "/v1/chat/completions",
                         headers={**HEADERS, "X-Douane-Upstream": "api.anthropic.com"},
                         json={"model": "claude", "messages": [{"role": "user", "content": "Ich habe Krebs"}]})
    assert blocked.status_code == 403 and blocked.headers["x-douane-action"] == "blocked"
    rule = blocked.headers["x-douane-rule"]
    assert f"rule {rule})" in blocked.json()["error"]["message"]
    redirected = httpx.post(running.url + "/v1/chat/completions", timeout=30,
                            headers={**HEADERS, "X-Douane-Upstream": "api.mistral.ai"},
                            json={"model": "m", "messages": [{"role": "user", "content": "Ich bin schwanger"}]})
    assert redirected.headers["x-douane-action"] == "redirected"


def _raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            return sock.recv(4096)
        except (ConnectionResetError, TimeoutError):
            return b""


def test_oversized_headers_are_refused_before_they_are_read_whole(strict: Running) -> None:
    head = b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nx-junk: " + b"a" * 200_000
    started = time.monotonic()
    answer = _raw(strict.port, head)
    assert answer.startswith(b"HTTP/1.1 431") and time.monotonic() - started < 3


def test_a_half_sent_head_is_timed_out(strict: Running) -> None:
    started = time.monotonic()
    answer = _raw(strict.port, b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n", wait=10)
    assert answer.startswith(b"HTTP/1.1 408") and 0.9 < time.monotonic() - started < 5


def test_a_trickling_body_is_timed_out(strict: Running) -> None:
    head = (b"POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
            b"x-douane-key: " + TENANT_KEY.encode() + b"\r\ncontent-length: 100\r\n\r\n{\"model\": ")
    started = time.monotonic()
    answer = _raw(strict.port, head, wait=10)
    assert b" 408 " in answer.split(b"\r\n")[0] and b"body_timeout" in answer and time.monotonic() - started < 5


def test_a_streamed_answer_is_cut_at_the_total_time_limit(strict: Running, kafka_bootstrap: str) -> None:
    strict.upstream.chunk_delay_s = 0.4  # ~10 events: 4 s in all, the limit is 1 s
    ask = f"Welche Mühle? {uuid.uuid4()}"
    started = time.monotonic()
    with httpx.stream("POST", strict.url + "/v1/chat/completions", headers=HEADERS, timeout=30,
                      json={"model": "gpt-4o", "stream": True, "messages": [{"role": "user", "content": ask}]}) as r:
        body = b"".join(r.iter_raw())
    assert time.monotonic() - started < 3 and b"[DONE]" not in body
    [event] = events_with(kafka_bootstrap, {content_hash({"messages": [{"content": ask}]})}, expect=1)
    assert event.outcome.error_class is ErrorClass.TIMEOUT


def test_no_request_content_reaches_logs_spool_or_topic(running: Running, kafka_bootstrap: str, caplog,
                                                        capfd) -> None:
    """Canaries in every content field of calls that succeed, are refused, redirected or fail."""
    def planted(n: int) -> dict:
        mark = f"{CANARY}-{n}"
        return {"model": "gpt-4o", "user": mark, "metadata": {"k": mark}, "system": mark, "prompt": mark,
                "instructions": mark, "input": [mark], "tools": [{"type": "function", "function": {"name": "f",
                                                                                                     "description": mark}}],
                "messages": [{"role": "user", "content": f"{mark} jana.koch@example.de"},
                             {"role": "assistant", "content": [{"type": "text", "text": mark}]}]}

    bodies = [planted(0), {**planted(1), "messages": 5}, {**planted(2), "system": {"x": CANARY}},
              {**planted(3), "messages": [{"role": "user", "content": f"Ich bin schwanger {CANARY}" + "y" * 200_001}]},
              {**planted(4), "max_tokens": f"{CANARY}"}]
    hosts = [None, None, None, "api.mistral.ai", "api.mistral.ai"]
    with caplog.at_level(logging.DEBUG):
        for body, host in zip(bodies, hosts):
            headers = {**HEADERS, **({"X-Douane-Upstream": host} if host else {})}
            response = httpx.post(running.url + "/v1/chat/completions", headers=headers, content=json.dumps(body),
                                  timeout=30)
            assert response.status_code < 500, response.text[:200]
        otlp = httpx.post(running.url + "/otlp/v1/traces", headers={**HEADERS, "Content-Type": "application/json"},
                          content=json.dumps({"resourceSpans": [{"scopeSpans": 5, "x": CANARY}]}))
        assert otlp.status_code == 400
    running.gateway.outbox.close()  # everything committed and sent
    spool = running.gateway.config.spool_dir
    on_disk = b"".join(p.read_bytes() for p in spool.iterdir() if p.is_file())
    out, err = capfd.readouterr()
    assert CANARY not in caplog.text and CANARY not in out + err
    assert CANARY.encode() not in on_disk
    assert not [value for value in topic_values(kafka_bootstrap) if CANARY.encode() in value]


def test_a_consent_reference_is_recorded_never_forwarded_and_a_bad_one_refused(running: Running,
                                                                                kafka_bootstrap: str) -> None:
    ask = f"Welche Bohnen passen zu mir? {uuid.uuid4()}"
    body = {"model": "gpt-4o", "messages": [{"role": "user", "content": ask}]}
    answer = httpx.post(running.url + "/v1/chat/completions", headers={**HEADERS, "X-Douane-Consent": "cns-0815"},
                        json=body)
    assert answer.status_code == 200
    assert "x-douane-consent" not in running.upstream.seen[-1].headers
    [event] = events_with(kafka_bootstrap, {content_hash({"messages": [{"content": ask}]})}, expect=1)
    assert event.consent_ref == "cns-0815"
    refused = httpx.post(running.url + "/v1/chat/completions", headers={**HEADERS, "X-Douane-Consent": "x" * 300},
                         json=body)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "invalid_consent_ref"
