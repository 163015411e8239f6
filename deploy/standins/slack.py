"""A local Slack Web API stand-in: chat.postMessage, chat.update, chat.getPermalink,
conversations.replies, auth.test, and Socket Mode (apps.connections.open and the WebSocket it names, down which :meth:`click` sends).

It records every call (in memory, and as JSON lines in ``record_to`` when given, so what
Slack would have shown can be read after a demo), answers in Slack's JSON shape, and can be told to rate-limit
(429 with Retry-After) or to be down (503), so the official slack-sdk client can be
tested against it. For tests and the demo only; Douane never needs it in production.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs

from aiohttp import web

from deploy.standins.server import ThreadedServer


@dataclass
class Call:
    """One API call the stand-in received."""

    method: str
    args: dict
    at: float
    status: int
    ts: str | None = None  # the message's ts in the answer, when it was a post or an update


@dataclass
class SlackStandIn(ThreadedServer):
    """Runs in a thread of its own; ``base_url`` is what slack-sdk's ``base_url`` should be."""

    channels: set[str] = field(default_factory=lambda: {"C-ALERTS", "C-CRITICAL", "C-REVIEW"})
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    down: bool = False
    record_to: Path | None = None  # a JSON-lines file: one line per call, as it came in
    socket_acks: list[str] = field(default_factory=list)  # envelope ids Socket Mode clients acknowledged
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _limited: list[float] = field(default_factory=list)
    _seq: int = 0

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/api/``."""
        return f"{self.origin}/api/"

    def rate_limit(self, times: int, retry_after: float = 1.0) -> None:
        """Answer the next ``times`` calls with 429 and ``Retry-After``."""
        self._limited.extend([retry_after] * times)

    def ok_calls(self, method: str) -> list[Call]:
        """Successful calls of one method."""
        return [c for c in self.calls if c.method == method and c.status == 200]

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._handle)
        app.router.add_get("/api/{method}", self._handle)  # slack-sdk reads chat.getPermalink with GET
        app.router.add_get("/socket", self._socket)

    def click(self, payload: dict) -> str:
        """Send an ``interactive`` envelope (a button click) down every open Socket Mode connection."""
        envelope = {"envelope_id": uuid.uuid4().hex, "type": "interactive", "payload": payload,
                    "accepts_response_payload": False}
        for ws in list(self._sockets):
            asyncio.run_coroutine_threadsafe(ws.send_json(envelope), self._loop).result(5)
        return envelope["envelope_id"]

    @property
    def socket_connections(self) -> int:
        """Open Socket Mode connections."""
        return sum(not ws.closed for ws in self._sockets)

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        async for message in ws:
            envelope = json.loads(message.data) if message.type == web.WSMsgType.TEXT else {}
            if "envelope_id" in envelope:
                self.socket_acks.append(envelope["envelope_id"])
        self._sockets.remove(ws)
        return ws

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await _args(request)
        if self.down:
            return self._record(method, args, 503, web.Response(status=503, text="upstream connect error"))
        if self._limited:
            retry = self._limited.pop(0)
            body = {"ok": False, "error": "ratelimited"}
            return self._record(method, args, 429, web.json_response(body, status=429,
                                                                     headers={"Retry-After": str(int(retry))}))
        if method == "apps.connections.open":
            ok = request.headers.get("Authorization", "") == "Bearer xapp-test-token"
            answer = {"ok": True, "url": f"ws://{self.host}:{self.port}/socket"} if ok else \
                {"ok": False, "error": "invalid_auth"}
            return self._record(method, args, 200, web.json_response(answer))
        if request.headers.get("Authorization", "") != "Bearer xoxb-test-token":
            return self._record(method, args, 200, web.json_response({"ok": False, "error": "invalid_auth"}))
        answer = self._answer(method, args)
        return self._record(method, args, 200, web.json_response(answer), answer.get("ts"))

    def _answer(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "team": "Douane stand-in", "user": "douane", "bot_id": "B1"}
        channel = args.get("channel")
        if method == "chat.getPermalink" and (channel, args.get("message_ts")) in self.messages:
            return {"ok": True, "channel": channel,
                    "permalink": f"https://douane-standin.slack.com/archives/{channel}/p"
                                 f"{str(args['message_ts']).replace('.', '')}"}
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
        if method == "conversations.replies":
            return self._thread(channel, str(args.get("ts")))
        if method == "chat.postMessage":
            self._seq += 1
            ts = f"{int(time.time())}.{self._seq:06d}"
            self.messages[(channel, ts)] = args
            return {"ok": True, "channel": channel, "ts": ts, "message": {"text": args.get("text")}}
        if method == "chat.update":
            key = (channel, args.get("ts"))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self.messages[key] = args
            return {"ok": True, "channel": channel, "ts": args["ts"], "text": args.get("text")}
        return {"ok": False, "error": "unknown_method"}

    def _thread(self, channel: str, ts: str) -> dict:
        """A message and its replies, oldest first, as ``conversations.replies`` gives them (one page)."""
        if (channel, ts) not in self.messages:
            return {"ok": False, "error": "thread_not_found"}
        replies = sorted((t, args) for (ch, t), args in self.messages.items()
                         if ch == channel and str(args.get("thread_ts")) == ts)
        thread = [(ts, self.messages[(channel, ts)]), *replies]
        return {"ok": True, "has_more": False,
                "messages": [{"ts": t, "text": args.get("text", ""), **({"thread_ts": ts} if t != ts else {})}
                             for t, args in thread]}

    def _record(self, method: str, args: dict, status: int, response: web.Response,
                ts: str | None = None) -> web.Response:
        self.calls.append(Call(method, args, time.monotonic(), status, ts))
        if self.record_to is not None:
            line = {"at": time.time(), "method": method, "status": status, "args": args}
            with Path(self.record_to).open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return response


async def _args(request: web.Request) -> dict:
    if request.method == "GET":
        return dict(request.query)
    raw = await request.read()
    if request.content_type == "application/json":
        return json.loads(raw or b"{}")
    parsed = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    if isinstance(parsed.get("blocks"), str):
        parsed["blocks"] = json.loads(parsed["blocks"])
    return parsed
