"""A local Slack Web API stand-in: chat.postMessage, chat.update, auth.test.

It records every call, answers in Slack's JSON shape, and can be told to rate-limit
(429 with Retry-After) or to be down (503), so the official slack-sdk client can be
tested against it. For tests and the demo only; Douane never needs it in production.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
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


@dataclass
class SlackStandIn(ThreadedServer):
    """Runs in a thread of its own; ``base_url`` is what slack-sdk's ``base_url`` should be."""

    channels: set[str] = field(default_factory=lambda: {"C-ALERTS", "C-CRITICAL", "C-REVIEW"})
    calls: list[Call] = field(default_factory=list)
    messages: dict[tuple[str, str], dict] = field(default_factory=dict)
    down: bool = False
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
        if request.headers.get("Authorization", "") != "Bearer xoxb-test-token":
            return self._record(method, args, 200, web.json_response({"ok": False, "error": "invalid_auth"}))
        return self._record(method, args, 200, web.json_response(self._answer(method, args)))

    def _answer(self, method: str, args: dict) -> dict:
        if method == "auth.test":
            return {"ok": True, "team": "Douane stand-in", "user": "douane", "bot_id": "B1"}
        channel = args.get("channel")
        if channel not in self.channels:
            return {"ok": False, "error": "channel_not_found"}
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

    def _record(self, method: str, args: dict, status: int, response: web.Response) -> web.Response:
        self.calls.append(Call(method, args, time.monotonic(), status))
        return response


async def _args(request: web.Request) -> dict:
    raw = await request.read()
    if request.content_type == "application/json":
        return json.loads(raw or b"{}")
    parsed = {k: v[0] for k, v in parse_qs(raw.decode()).items()}
    if isinstance(parsed.get("blocks"), str):
        parsed["blocks"] = json.loads(parsed["blocks"])
    return parsed
