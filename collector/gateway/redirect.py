"""The sovereign path as the gateway sees it: build the redirect request, await the answer, shape it."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from pydantic import ValidationError

from collector.declare import request_text
from collector.gateway.config import DirectEndpoint
from collector.gateway.direct import DirectClient
from collector.gateway.errors import GatewayError
from collector.gateway.shapes import answer_body, answer_events
from collector.provider import Api
from collector.redirect import RedirectClient
from douane.contract import RedirectRequest, ReplyStatus
from douane.contract.events import RedirectRoute

logger = logging.getLogger(__name__)

CHAT_APIS = (Api.OPENAI_CHAT, Api.AZURE_CHAT, Api.ANTHROPIC_MESSAGES, Api.OPENAI_RESPONSES)
TEXT_APIS = CHAT_APIS + (Api.OPENAI_COMPLETIONS,)


@dataclass(frozen=True)
class Answer:
    """What the caller gets back from the sovereign path, and which way it came."""

    text: str
    model: str
    route: RedirectRoute
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def fallback(self) -> bool:
        """Whether this is the policy's static answer."""
        return self.route is RedirectRoute.STATIC


class Redirector:
    """Asks the sovereign worker through Kafka; when that cannot answer in time, a direct in-jurisdiction
    endpoint (if configured), else the policy's static answer. Starts and serves without Kafka."""

    def __init__(self, bootstrap: str | None, direct: DirectEndpoint | None = None, retry_s: float = 2.0) -> None:
        self.bootstrap = bootstrap
        self.direct = DirectClient(direct) if direct else None
        self.retry_s = retry_s
        self.client: RedirectClient | None = None
        self._connecting: asyncio.Task | None = None

    async def start(self) -> None:
        """Connect the request-reply client in the background: the gateway serves meanwhile."""
        if self.bootstrap:
            self._connecting = asyncio.get_running_loop().create_task(self._connect())

    async def _connect(self) -> None:
        while self.client is None:
            client = RedirectClient(self.bootstrap)
            try:
                await client.start()
            except Exception as exc:  # noqa: BLE001 - any failure to reach Kafka: try again later
                logger.warning("redirect topic not reachable yet (%s); static or direct answers meanwhile",
                               type(exc).__name__)
                with contextlib.suppress(Exception):
                    await client.close()
                await asyncio.sleep(self.retry_s)
                continue
            self.client = client

    async def close(self) -> None:
        """Disconnect; callers still waiting get the fallback."""
        if self._connecting is not None:
            self._connecting.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._connecting
        if self.client is not None:
            await self.client.close()
            self.client = None
        if self.direct is not None:
            await self.direct.close()

    @property
    def ready(self) -> bool:
        """Whether the request-reply client is connected."""
        return self.client is not None

    async def answer(self, api: Api, tenant: str, event_id, body: dict, fallback: str, timeout: float) -> Answer:
        """The sovereign answer to ``body`` within ``timeout`` seconds, whichever way it can come."""
        if api not in TEXT_APIS:
            raise GatewayError(451, "redirect_unsupported", f"{api.value} calls may not leave the jurisdiction "
                                                            "and have no sovereign equivalent")
        request = _request(api, tenant, event_id, body, fallback, timeout)
        deadline = time.monotonic() + timeout
        topic_budget = timeout / 2 if self.direct else timeout  # leave the direct endpoint its share
        reply = await self._via_topic(request, topic_budget)
        if reply is not None:
            return Answer(reply.text, reply.model, RedirectRoute.TOPIC, reply.prompt_tokens, reply.completion_tokens)
        if self.direct is not None:
            reply = await self.direct.ask(request, deadline - time.monotonic())
            if reply is not None:
                return Answer(reply[0], reply[1], RedirectRoute.DIRECT, reply[2], reply[3])
        return Answer(fallback, "douane-fallback", RedirectRoute.STATIC)

    async def _via_topic(self, request: RedirectRequest, budget: float):
        if self.client is None:
            return None
        try:
            reply = await asyncio.wait_for(self.client.ask(request, budget), budget)
        except TimeoutError:
            return None
        except Exception as exc:  # noqa: BLE001 - Kafka errors of every kind mean "not this way"
            logger.warning("redirect via Kafka failed (%s)", type(exc).__name__)
            return None
        return reply if reply is not None and reply.status is ReplyStatus.OK else None

    def body(self, api: Api, answer: Answer) -> dict:
        """The answer as the caller's JSON body."""
        return answer_body(api, answer.text, answer.model, answer.prompt_tokens, answer.completion_tokens)

    def events(self, api: Api, answer: Answer):
        """The answer as the caller's server-sent events."""
        return answer_events(api, answer.text, answer.model)


def _request(api: Api, tenant: str, event_id, body: dict, fallback: str, timeout: float) -> RedirectRequest:
    try:
        return _build_request(api, tenant, event_id, body, fallback, timeout)
    except ValidationError as exc:  # its message would quote the prompt: only where and what kind
        where = "; ".join(f"{'.'.join(map(str, e['loc']))} ({e['type']})" for e in exc.errors(include_input=False))
        raise GatewayError(413, "redirect_too_large", f"this call must stay in the jurisdiction but cannot be "
                           f"carried to the sovereign model: {where[:300]}") from None


def _build_request(api: Api, tenant: str, event_id, body: dict, fallback: str, timeout: float) -> RedirectRequest:
    deadline = datetime.now(timezone.utc) + timedelta(seconds=timeout)
    common = {"correlation_id": uuid.uuid4(), "event_id": event_id, "tenant": tenant, "deadline": deadline,
              "fallback_answer": fallback, "max_tokens": _max_tokens(body),
              "model": str(body.get("model") or "")[:200] or None, "stream": bool(body.get("stream"))}
    if api is Api.OPENAI_COMPLETIONS:
        return RedirectRequest(kind="completion", prompt=request_text(body), **common)
    return RedirectRequest(kind="chat", messages=_messages(api, body), **common)


def _max_tokens(body: dict) -> int:
    """The caller's token limit when it is a sensible whole number; else 256 (the body is the caller's to garble)."""
    value = body.get("max_tokens") or body.get("max_output_tokens")
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return min(value, 32_768)
    return 256


def _messages(api: Api, body: dict) -> list[dict]:
    messages = []
    if api is Api.ANTHROPIC_MESSAGES and body.get("system"):
        messages.append({"role": "system", "content": request_text({"system": body["system"]})})
    if api is Api.OPENAI_RESPONSES:
        return [{"role": "user", "content": request_text({"input": body.get("input"),
                                                           "instructions": body.get("instructions")})}]
    for message in body.get("messages") or ():
        if not isinstance(message, dict):
            continue  # not a message: nothing to carry over
        role = message.get("role") if message.get("role") in ("system", "user", "assistant", "developer") else "user"
        messages.append({"role": role, "content": request_text({"messages": [message]})})
    return messages or [{"role": "user", "content": ""}]
