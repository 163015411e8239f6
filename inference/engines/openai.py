"""Any OpenAI-compatible server inside the jurisdiction: ``vllm serve``, TGI, a sovereign cloud."""

from __future__ import annotations

import asyncio
import logging

import httpx

from douane.breaker import CircuitBreaker
from douane.contract import RedirectRequest, RequestKind
from inference.engines.base import Engine, Generation, word_count
from inference.errors import EngineError, EngineUnavailable

logger = logging.getLogger(__name__)

RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenAIEngine(Engine):
    """Calls ``/v1/chat/completions`` or ``/v1/completions`` with retries and a circuit breaker."""

    name = "openai"

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout_s: float = 60.0,
                 retries: int = 2, backoff_s: float = 0.2, breaker: CircuitBreaker | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.retries = retries
        self.backoff_s = backoff_s
        self.breaker = breaker or CircuitBreaker(threshold=5, reset_after=15.0)
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.AsyncClient(base_url=self.base_url, headers=headers, timeout=timeout_s)

    async def generate(self, request: RedirectRequest) -> Generation:
        if not self.breaker.allow():
            raise EngineUnavailable(f"circuit open for {self.base_url}")
        try:
            body = await self._post_with_retries(*self._payload(request))
        except EngineError:
            self.breaker.record_failure()
            raise
        self.breaker.record_success()
        return self._generation(request, body)

    async def close(self) -> None:
        await self._client.aclose()

    def _payload(self, request: RedirectRequest) -> tuple[str, dict]:
        common = {"model": self.model, "max_tokens": request.max_tokens, "temperature": request.temperature}
        if request.kind is RequestKind.COMPLETION:
            return "/v1/completions", {**common, "prompt": request.prompt or ""}
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        return "/v1/chat/completions", {**common, "messages": messages}

    async def _post_with_retries(self, path: str, payload: dict) -> dict:
        for attempt in range(self.retries + 1):
            try:
                response = await self._client.post(path, json=payload)
            except httpx.HTTPError as exc:
                problem = f"{type(exc).__name__} calling {self.base_url}{path}"
            else:
                if response.status_code < 400:
                    return _json(response)
                problem = f"HTTP {response.status_code} from {self.base_url}{path}"
                if response.status_code not in RETRYABLE_STATUS:
                    raise EngineError(problem)
            if attempt < self.retries:
                logger.info("engine retry", extra={"attempt": attempt + 1, "problem": problem})
                await asyncio.sleep(self.backoff_s * 2 ** attempt)
        raise EngineError(problem)

    def _generation(self, request: RedirectRequest, body: dict) -> Generation:
        try:
            choice = body["choices"][0]
            text = choice["message"]["content"] if request.kind is RequestKind.CHAT else choice["text"]
        except (KeyError, IndexError, TypeError) as exc:
            raise EngineError(f"unexpected answer shape from {self.base_url}: missing {exc}") from None
        usage = body.get("usage") or {}
        return Generation(
            text=text or "", model=str(body.get("model") or self.model),
            finish_reason="length" if choice.get("finish_reason") == "length" else "stop",
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or word_count(text or "")))


def _json(response: httpx.Response) -> dict:
    try:
        body = response.json()
    except ValueError:
        raise EngineError(f"answer from {response.url} is not JSON") from None
    if not isinstance(body, dict):
        raise EngineError(f"answer from {response.url} is not a JSON object")
    return body
