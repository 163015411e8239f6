"""The direct sovereign route: an in-jurisdiction OpenAI-compatible endpoint the gateway calls itself
when the redirect topic cannot answer in time (Kafka down, no worker)."""

from __future__ import annotations

import logging

import httpx

from collector.gateway.config import DirectEndpoint
from douane.contract import RedirectRequest

logger = logging.getLogger(__name__)


class DirectClient:
    """Asks ``endpoint`` for a chat completion; None when it cannot answer in the time left."""

    def __init__(self, endpoint: DirectEndpoint) -> None:
        self.endpoint = endpoint
        key = endpoint.api_key.get_secret_value() if endpoint.api_key else None
        self._client = httpx.AsyncClient(base_url=endpoint.base_url, follow_redirects=False,
                                         headers={"Authorization": f"Bearer {key}"} if key else {})

    async def ask(self, request: RedirectRequest, budget: float) -> tuple[str, str, int, int] | None:
        """(text, model, prompt tokens, completion tokens), or None."""
        if budget <= 0:
            return None
        messages = [{"role": m.role, "content": m.content} for m in request.messages] or [
            {"role": "user", "content": request.prompt or ""}]
        body = {"model": self.endpoint.model, "messages": messages, "max_tokens": request.max_tokens,
                "stream": False}
        try:
            response = await self._client.post("/v1/chat/completions", json=body, timeout=budget)
            if response.status_code != 200:
                logger.warning("direct sovereign endpoint answered %d", response.status_code)
                return None
            answer = response.json()
            usage = answer.get("usage") or {}
            return (str(answer["choices"][0]["message"]["content"]), str(answer.get("model") or self.endpoint.model),
                    int(usage.get("prompt_tokens") or 0), int(usage.get("completion_tokens") or 0))
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            logger.warning("direct sovereign endpoint failed (%s)", type(exc).__name__)
            return None

    async def close(self) -> None:
        """Release the connections."""
        await self._client.aclose()
