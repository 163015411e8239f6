"""The sovereign path as the gateway sees it: build the redirect request, await the answer, shape it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from collector.gateway.errors import GatewayError
from collector.declare import request_text
from collector.provider import Api
from collector.gateway.shapes import answer_body, answer_events
from collector.redirect import RedirectClient
from douane.contract import RedirectRequest, ReplyStatus

CHAT_APIS = (Api.OPENAI_CHAT, Api.AZURE_CHAT, Api.ANTHROPIC_MESSAGES, Api.OPENAI_RESPONSES)
TEXT_APIS = CHAT_APIS + (Api.OPENAI_COMPLETIONS,)


@dataclass(frozen=True)
class Answer:
    """What the caller gets back from the sovereign path."""

    text: str
    model: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    fallback: bool = False


class Redirector:
    """Asks the sovereign worker through Kafka; on timeout or error, the policy's fallback answer."""

    def __init__(self, bootstrap: str | None) -> None:
        self.bootstrap = bootstrap
        self.client: RedirectClient | None = None

    async def start(self) -> None:
        """Connect the request-reply client (in the server's event loop)."""
        if self.bootstrap:
            client = RedirectClient(self.bootstrap)
            await client.start()
            self.client = client

    async def close(self) -> None:
        """Disconnect; callers still waiting get the fallback."""
        if self.client is not None:
            await self.client.close()
            self.client = None

    @property
    def ready(self) -> bool:
        """Whether the request-reply client is connected."""
        return self.client is not None

    async def answer(self, api: Api, tenant: str, event_id, body: dict, fallback: str, timeout: float) -> Answer:
        """The sovereign answer to ``body``, or the fallback when none comes in time."""
        if api not in TEXT_APIS:
            raise GatewayError(451, "redirect_unsupported", f"{api.value} calls may not leave the jurisdiction "
                                                            "and have no sovereign equivalent")
        request = _request(api, tenant, event_id, body, fallback, timeout)
        reply = await self.client.ask(request, timeout) if self.client else None
        if reply is None or reply.status is not ReplyStatus.OK:
            return Answer(fallback, "douane-fallback", fallback=True)
        return Answer(reply.text, reply.model, reply.prompt_tokens, reply.completion_tokens)

    def body(self, api: Api, answer: Answer) -> dict:
        """The answer as the caller's JSON body."""
        return answer_body(api, answer.text, answer.model, answer.prompt_tokens, answer.completion_tokens)

    def events(self, api: Api, answer: Answer):
        """The answer as the caller's server-sent events."""
        return answer_events(api, answer.text, answer.model)


def _request(api: Api, tenant: str, event_id, body: dict, fallback: str, timeout: float) -> RedirectRequest:
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
