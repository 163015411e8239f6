"""A local AI provider stand-in that speaks the OpenAI, Azure OpenAI and Anthropic wire formats.

Chat completions (plain and SSE streaming), completions, embeddings, responses, Anthropic
messages (plain and streaming) and Azure deployment paths. It records every request and
can be told to fail (a status code for the next N calls, e.g. a 451 region lockout, with the
body a provider would send), to answer with a redirect (3xx and a Location), to compress its
answers as real providers do (gzip, deflate or br, whichever the caller accepts), or to be
slow, so the official ``openai`` and ``anthropic`` clients can be tested through the
gateway against it. For tests, benchmarks and the demo; never used in production.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

from aiohttp import web

from deploy.standins.server import ThreadedServer


@dataclass
class Seen:
    """One request the stand-in received."""

    path: str
    headers: dict[str, str]  # lower-case names
    body: dict | None  # None when the body was not JSON


@dataclass
class LLMStandIn(ThreadedServer):
    """Answers every generation with ``reply``; ``fail(status, times)`` makes the next calls fail."""

    reply: str = "Gern geschehen! Ihre Bestellung ist unterwegs."
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0  # between server-sent events: a slow stream
    compress: bool = False
    seen: list[Seen] = field(default_factory=list)
    _failures: list[tuple[int, dict | None]] = field(default_factory=list)
    _redirects: list[tuple[int, str]] = field(default_factory=list)

    def fail(self, status: int, times: int = 1, error: dict | None = None) -> None:
        """Answer the next ``times`` generation calls with ``status`` (403, 451, 500, ...) and ``error``."""
        self._failures.extend([(status, error)] * times)

    def redirect(self, status: int, location: str, times: int = 1) -> None:
        """Answer the next ``times`` generation calls with a ``status`` redirect to ``location``."""
        self._redirects.extend([(status, location)] * times)

    def routes(self, app: web.Application) -> None:
        app.middlewares.append(self._compressing)
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/openai/deployments/{deployment}/chat/completions", self._chat)
        app.router.add_post("/v1/completions", self._completion)
        app.router.add_post("/v1/embeddings", self._embeddings)
        app.router.add_post("/v1/responses", self._responses)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        app.router.add_route("*", "/{tail:.*}", self._unknown)

    @web.middleware
    async def _compressing(self, request: web.Request, handler):
        response = await handler(request)
        if self.compress and type(response) is web.Response:  # SSE answers are compressed in _sse
            response.enable_compression()  # the coding the caller's Accept-Encoding allows, if any
        return response

    async def _unknown(self, request: web.Request) -> web.Response:
        """Any other path: recorded, and answered 404 the way OpenAI does."""
        self.seen.append(Seen(request.path, {k.lower(): v for k, v in request.headers.items()}, None))
        error = {"error": {"message": f"Unknown request URL: {request.method} {request.path}",
                           "type": "invalid_request_error", "code": "unknown_url"}}
        return web.json_response(error, status=404)

    async def _intake(self, request: web.Request) -> tuple[dict, web.Response | None]:
        raw = await request.read()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        self.seen.append(Seen(request.path, {k.lower(): v for k, v in request.headers.items()}, body))
        if not isinstance(body, dict):
            error = {"error": {"message": "We could not parse the JSON body of your request.",
                               "type": "invalid_request_error", "code": None}}
            return {}, web.json_response(error, status=400)
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        if self._redirects:
            status, location = self._redirects.pop(0)
            return body, web.Response(status=status, headers={"Location": location})
        if self._failures:
            status, error = self._failures.pop(0)
            error = error or {"error": {"message": f"stand-in answers {status}", "type": "standin_error",
                                        "code": status}}
            return body, web.json_response(error, status=status)
        return body, None

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        body, failed = await self._intake(request)
        if failed:
            return failed
        model = body.get("model") or request.match_info.get("deployment", "stand-in")
        if body.get("stream"):
            return await self._sse(request, _chat_chunks(model, self.reply))
        return web.json_response(_chat_body(model, self.reply, _prompt_tokens(body)))

    async def _completion(self, request: web.Request) -> web.Response:
        body, failed = await self._intake(request)
        return failed or web.json_response({
            "id": "cmpl-standin", "object": "text_completion", "created": int(time.time()), "model": body.get("model"),
            "choices": [{"index": 0, "text": self.reply, "logprobs": None, "finish_reason": "stop"}],
            "usage": _usage(_prompt_tokens(body), self.reply)})

    async def _embeddings(self, request: web.Request) -> web.Response:
        body, failed = await self._intake(request)
        inputs = body.get("input")
        inputs = inputs if isinstance(inputs, list) else [inputs]
        data = [{"object": "embedding", "index": i, "embedding": [0.01 * (i + 1)] * 8} for i in range(len(inputs))]
        return failed or web.json_response({"object": "list", "data": data, "model": body.get("model"),
                                            "usage": {"prompt_tokens": 4, "total_tokens": 4}})

    async def _responses(self, request: web.Request) -> web.Response:
        body, failed = await self._intake(request)
        message = {"type": "message", "id": "msg_standin", "status": "completed", "role": "assistant",
                   "content": [{"type": "output_text", "text": self.reply, "annotations": []}]}
        return failed or web.json_response({
            "id": "resp_standin", "object": "response", "created_at": int(time.time()), "status": "completed",
            "model": body.get("model"), "output": [message], "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [], "usage": {"input_tokens": 5, "output_tokens": len(self.reply.split()), "total_tokens": 9,
                                   "input_tokens_details": {"cached_tokens": 0},
                                   "output_tokens_details": {"reasoning_tokens": 0}}})

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        body, failed = await self._intake(request)
        if failed:
            return failed
        model = body.get("model", "claude-standin")
        if body.get("stream"):
            return await self._sse(request, _anthropic_events(model, self.reply))
        return web.json_response({
            "id": "msg_standin", "type": "message", "role": "assistant", "model": model,
            "content": [{"type": "text", "text": self.reply}], "stop_reason": "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": _prompt_tokens(body), "output_tokens": len(self.reply.split())}})

    async def _models(self, _: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [{"id": "stand-in", "object": "model", "owned_by": "x"}]})

    async def _sse(self, request: web.Request, events: list[str]) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"})
        if self.compress:
            response.enable_compression()
        await response.prepare(request)
        for event in events:
            await response.write(event.encode())
            await asyncio.sleep(self.chunk_delay_s)
        await response.write_eof()
        return response


def _prompt_tokens(body: dict) -> int:
    return max(1, len(json.dumps(body.get("messages") or body.get("prompt") or "")) // 4)


def _usage(prompt_tokens: int, text: str) -> dict:
    completion = len(text.split())
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion,
            "total_tokens": prompt_tokens + completion}


def _chat_body(model: str, text: str, prompt_tokens: int) -> dict:
    return {"id": "chatcmpl-standin", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": _usage(prompt_tokens, text)}


def _chat_chunks(model: str, text: str) -> list[str]:
    def chunk(delta: dict, finish: str | None) -> str:
        body = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        return f"data: {json.dumps(body)}\n\n"

    words = [w + " " for w in text.split(" ")]
    words[-1] = words[-1].rstrip()
    return ([chunk({"role": "assistant", "content": ""}, None)] + [chunk({"content": w}, None) for w in words]
            + [chunk({}, "stop"), "data: [DONE]\n\n"])


def _anthropic_events(model: str, text: str) -> list[str]:
    def event(kind: str, body: dict) -> str:
        return f"event: {kind}\ndata: {json.dumps({'type': kind, **body})}\n\n"

    start = {"id": "msg_standin", "type": "message", "role": "assistant", "model": model, "content": [],
             "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 5, "output_tokens": 1}}
    deltas = [event("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": w}})
              for w in (w + " " for w in text.split(" "))]
    return ([event("message_start", {"message": start}),
             event("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})]
            + deltas
            + [event("content_block_stop", {"index": 0}),
               event("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                       "usage": {"output_tokens": len(text.split())}}),
               event("message_stop", {})])


if __name__ == "__main__":  # python -m deploy.standins.llm: serve until killed, print the origin
    import sys

    server = LLMStandIn().start()
    print(server.origin, flush=True)
    try:
        sys.stdin.read()  # until the parent closes our stdin (or kills us)
    finally:
        server.stop()
