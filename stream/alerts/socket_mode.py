"""Slack interactivity without a public URL: Socket Mode, through slack-sdk's ``socket_mode`` client.

The worker opens a WebSocket to Slack with an app-level token (``xapp-…``, scope
``connections:write``); Slack sends button clicks down it. The connection itself is
authenticated, so there is no request signature to check; every envelope is acknowledged
at once (Slack retries one that is not) and a payload that is not an incident action is
logged and ignored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable

from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient

from stream.alerts.interactions import Interaction, InteractionError, action_from

logger = logging.getLogger(__name__)


class SocketModeListener:
    """Receives Acknowledge and Resolve clicks over Socket Mode and hands them to ``act``."""

    def __init__(self, app_token: str, act: Callable[[Interaction], Awaitable[None]],
                 base_url: str | None = None) -> None:
        self.app_token = app_token
        self.act = act
        self.base_url = base_url
        self.client: SocketModeClient | None = None
        self.handled = 0

    async def start(self) -> None:
        """Open the WebSocket (``apps.connections.open``, then connect); reconnects on its own."""
        web = AsyncWebClient(**({"base_url": self.base_url} if self.base_url else {}))
        self.client = SocketModeClient(app_token=self.app_token, web_client=web, ping_interval=10)
        self.client.socket_mode_request_listeners.append(self._on_request)
        await self.client.connect()

    async def stop(self) -> None:
        """Close the connection."""
        if self.client is not None:
            await self.client.close()

    async def _on_request(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if request.type != "interactive":
            return
        try:
            action = action_from(request.payload, time.time())
        except InteractionError as exc:
            logger.warning("ignored a Socket Mode interaction: %s", exc)
            return
        await self.act(action)
        self.handled += 1
