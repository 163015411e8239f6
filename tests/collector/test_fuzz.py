"""A hypothesis fuzz run of the gateway's HTTP surface: whatever arrives, no 500, no leak, no open proxy.

Requests are drawn from known and random paths, good and hostile upstream hosts, good and bad
keys, JSON bodies with random (and personal-data-laden) text, and raw bytes. Properties checked
on every answer:
- the gateway never answers 5xx (the stand-in upstream never fails here);
- every refusal is OpenAI-style error JSON with one of the gateway's codes and a message, and
  then nothing reached the upstream;
- a host that is not a mapped provider is refused (400/403) — never called;
- the tenant key never comes back in a response;
- no log line carries request content (every drawn prompt text carries a canary).
"""

from __future__ import annotations

import json
import logging
import threading
import uuid

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from collector.gateway.build import build_gateway
from deploy.standins.llm import LLMStandIn
from tests.collector.conftest import TENANT_KEY, gateway_config, serve, shut

pytestmark = [
    pytest.mark.kafka,
    # The served gateway's Kafka client (kafka-python) uses the `random` module in its own thread while
    # hypothesis draws here; hypothesis sees the global state move and blames the strategies, which do
    # not use it. Data generation is unaffected (hypothesis draws from its own generator).
    pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies"),
]

CODES = {"bad_upstream", "blocked_by_policy", "body_too_large", "headers_too_large", "invalid_douane_key",
         "invalid_json", "invalid_otlp", "missing_douane_key", "missing_upstream", "redirect_unsupported",
         "unknown_route", "unknown_upstream", "unsupported_media_type", "upstream_refused", "json_too_deep",
         "invalid_messages", "invalid_field", "redirect_too_large"}
CANARY = "zq-canary"
MAPPED = ["api.openai.com", "api.anthropic.com", "api.mistral.ai", "shop-ai.openai.azure.com"]
HOSTILE = ["169.254.169.254", "10.0.0.5", "127.0.0.1", "[::1]", "localhost", "metadata.google.internal",
           "evil.example.com", "api.openai.com:443@evil.example", "api.openai.com/../x", "x" * 300, ""]
PATHS = ["/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/v1/responses", "/v1/messages",
         "/openai/deployments/shop-gpt/chat/completions", "/v1/files", "/v1/../admin", "/admin", "/otlp/v1/traces"]
TEXTS = st.one_of(st.text(max_size=300).map(lambda t: CANARY + t), st.sampled_from([
    "Meine Mail ist jana.koch@example.de", "IBAN DE89 3704 0044 0532 0130 00", "Karte 4111 1111 1111 1111",
    "Tel +49 30 1234567", "1" * 5000, "a@" * 2000, "((((((((((" * 300]).map(lambda t: CANARY + " " + t))
CHAT_BODIES = st.builds(lambda model, text, stream: json.dumps({"model": model, "stream": stream,
                                                       "messages": [{"role": "user", "content": text}]}).encode(),
              st.sampled_from(["gpt-4o", "claude-sonnet-4", "", "x" * 500]), TEXTS, st.booleans())
ODD_MESSAGE = st.dictionaries(st.sampled_from(["role", "content", "text"]),
                              st.one_of(TEXTS, st.integers(), st.none(), st.lists(TEXTS, max_size=2)))
ODD_MESSAGES = st.one_of(st.integers(), st.booleans(),
                         st.lists(st.one_of(st.integers(), TEXTS, ODD_MESSAGE), max_size=3))  # odd message shapes
BODIES = st.one_of(
    CHAT_BODIES, CHAT_BODIES, CHAT_BODIES,
    st.builds(lambda value: json.dumps(value).encode(), st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=40),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
        max_leaves=20)),
    st.builds(lambda value: json.dumps({"model": "m", "messages": value}).encode(), ODD_MESSAGES),
    st.binary(max_size=400))


@pytest.fixture(scope="module")
def surface(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory):
    upstream = LLMStandIn().start()
    config = gateway_config(upstream, tmp_path_factory.mktemp("fuzz") / f"spool-{uuid.uuid4().hex[:6]}",
                            redirect_timeout_s=0.3)
    gateway = build_gateway(config, kafka_bootstrap, dev=True)
    server, port = serve(gateway)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
        yield client, upstream
    shut(server)
    gateway.outbox.close()
    upstream.stop()


_lock = threading.Lock()


class _Lines(logging.Handler):
    """Every log line written while the fuzz runs (the gateway serves in this process)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture(scope="module")
def log_lines():
    handler = _Lines()
    root = logging.getLogger()
    level, root.level = root.level, logging.DEBUG
    root.addHandler(handler)
    yield handler.lines
    root.removeHandler(handler)
    root.level = level


def _no_content_logged(lines: list[str]) -> None:
    leaked = [line for line in lines if CANARY in line]
    lines.clear()
    assert not leaked, leaked[0][:300]


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.one_of(st.sampled_from(PATHS), st.sampled_from(PATHS[:5]),
                     st.text(min_size=1, max_size=60).map(lambda t: "/" + t)),
       key=st.sampled_from([TENANT_KEY] * 6 + [None, "wrong", "x" * 5000]),  # mostly past the door, to go deeper
       host=st.one_of(st.none(), st.none(), st.sampled_from(MAPPED), st.sampled_from(HOSTILE), st.text(max_size=40)),
       body=BODIES, content_type=st.sampled_from(["application/json", "text/plain", "application/x-protobuf"]))
def test_whatever_arrives_the_answer_is_clean(surface, log_lines, path, key, host, body, content_type) -> None:
    client, upstream = surface
    headers = {"Content-Type": content_type, "Authorization": "Bearer sk-shop"}
    if key is not None:
        headers["X-Douane-Key"] = key
    if host is not None:
        headers["X-Douane-Upstream"] = host
    try:
        request = client.build_request("POST", httpx.URL(path=_printable(path)), headers=headers, content=body)
    except (httpx.InvalidURL, UnicodeEncodeError, ValueError):
        return  # httpx itself will not send it; nothing reaches the gateway
    with _lock:
        calls_before = len(upstream.seen)
        try:
            response = client.send(request)
        except httpx.LocalProtocolError:
            return  # a header httpx will not put on the wire (CR/LF in it): nothing reaches the gateway
        reached = len(upstream.seen) - calls_before
    event(f"status {response.status_code}{' (upstream called)' if reached else ''}")
    assert response.status_code < 500, response.text[:300]
    assert TENANT_KEY not in response.text
    _no_content_logged(log_lines)
    if _not_http(headers):  # control characters in a header: the HTTP server itself answers 400
        assert response.status_code == 400 and not reached
        return
    if response.status_code >= 400 and not reached:  # refused by the gateway itself
        assert response.headers["content-type"] == "application/json", (response.status_code, response.text[:200])
        error = response.json()["error"]
        assert error["code"] in CODES and error["message"], error
    if reached:
        assert not _our_error(response), "the upstream was called for a request the gateway refused"
    if reached and host and host.strip():  # an empty header means "the route's default provider"
        assert host.strip().lower() in MAPPED  # only a mapped provider is ever called


def _printable(path: str) -> str:
    return "".join(ch for ch in path if ch.isprintable() and ch not in "?#")


def _our_error(response: httpx.Response) -> bool:
    try:
        return response.json()["error"]["code"] in CODES
    except (ValueError, KeyError, TypeError):
        return False


def _not_http(headers: dict[str, str]) -> bool:
    """RFC 9110 forbids control characters (other than tab) in field values."""
    return any(ord(ch) < 32 and ch != "\t" or ord(ch) == 127 for value in headers.values() for ch in value)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(PATHS[:5]), host=st.one_of(st.none(), st.sampled_from(MAPPED[:3])), body=CHAT_BODIES)
def test_well_formed_calls_with_any_text_are_forwarded_redirected_or_blocked(surface, log_lines, path, host,
                                                                            body) -> None:
    """Past the door, random prompt text drives detection and the verdict; each call ends in one of three ways."""
    client, upstream = surface
    headers = {"X-Douane-Key": TENANT_KEY, "Content-Type": "application/json"} | (
        {"X-Douane-Upstream": host} if host else {})
    with _lock:
        calls_before = len(upstream.seen)
        response = client.post(path, headers=headers, content=body)
        reached = len(upstream.seen) - calls_before
    event(f"status {response.status_code}{' (upstream called)' if reached else ''}")
    _no_content_logged(log_lines)
    assert response.headers.get("x-douane-event-id")
    if reached:
        assert response.status_code == 200  # forwarded; the stand-in answers every generation
    elif response.status_code == 200:
        assert response.content  # redirected: the sovereign answer (here the policy's fallback)
    else:  # blocked, or to be redirected but of a kind the sovereign model cannot answer (embeddings)
        assert (response.status_code, response.json()["error"]["code"]) in {(403, "blocked_by_policy"),
                                                                             (451, "redirect_unsupported"),
                                                                             (413, "redirect_too_large")}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(max_tokens=st.one_of(st.none(), st.integers(), st.text(max_size=8), st.floats(), st.lists(st.integers())),
       extra=st.lists(st.one_of(st.integers(), st.text(max_size=8), st.none()), max_size=3))
def test_a_redirected_call_with_garbled_fields_gets_the_sovereign_answer(surface, max_tokens, extra) -> None:
    """Health data to a provider the policy redirects: whatever max_tokens and stray messages hold, no 5xx."""
    client, upstream = surface
    body = {"model": "mistral-large-latest", "max_tokens": max_tokens,
            "messages": [*extra, {"role": "user", "content": "Ich bin Diabetiker, welcher Kaffee passt?"}]}
    headers = {"X-Douane-Key": TENANT_KEY, "X-Douane-Feature": "support_chat", "X-Douane-Upstream": "api.mistral.ai"}
    with _lock:
        before = len(upstream.seen)
        response = client.post("/v1/chat/completions", headers=headers, content=json.dumps(body).encode())
        assert len(upstream.seen) == before  # redirected: nothing reaches the provider
    assert response.status_code == 200, response.text[:300]
    assert response.json()["choices"][0]["message"]["content"]
