"""Posting and updating messages through slack-sdk, with Slack's failures sorted into kinds."""

from __future__ import annotations

import asyncio

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

PERMANENT = frozenset({"channel_not_found", "invalid_auth", "not_in_channel", "account_inactive", "not_authed",
                       "token_revoked", "is_archived", "missing_scope", "invalid_blocks"})


class DeliveryError(Exception):
    """Slack did not take the message. ``retry_after``: Slack's own wait (429); ``permanent``: needs a human."""

    def __init__(self, reason: str, retry_after: float | None = None, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.permanent = permanent


class SlackNotifier:
    """Sends Block Kit messages with the official client; every failure becomes a :class:`DeliveryError`."""

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    @classmethod
    def connect(cls, token: str, base_url: str | None = None, timeout: float = 10.0) -> "SlackNotifier":
        """A notifier for a bot token (``xoxb-...``); ``base_url`` only to point at a stand-in."""
        kwargs = {"base_url": base_url} if base_url else {}
        return cls(AsyncWebClient(token=token, timeout=int(timeout), retry_handlers=[], **kwargs))

    async def send(self, channel: str, ts: str | None, text: str, blocks: list[dict]) -> str:
        """Update message ``ts`` in ``channel``, or post a new one; the message's ts."""
        if ts is not None:
            try:
                return await self._call(self.client.chat_update, channel=channel, ts=ts, text=text, blocks=blocks)
            except DeliveryError as exc:
                if exc.reason != "message_not_found":
                    raise
        return await self._call(self.client.chat_postMessage, channel=channel, text=text, blocks=blocks)

    async def reply(self, channel: str, thread_ts: str, text: str) -> str:
        """A reply in a message's thread."""
        return await self._call(self.client.chat_postMessage, channel=channel, thread_ts=thread_ts, text=text)

    async def replies(self, channel: str, thread_ts: str) -> list[str]:
        """The texts of the replies in a message's thread (``conversations.replies``, every page)."""
        texts: list[str] = []
        cursor = None
        while True:
            page = await self._request(self.client.conversations_replies, channel=channel, ts=thread_ts,
                                       limit=200, **({"cursor": cursor} if cursor else {}))
            texts += [m.get("text", "") for m in page.get("messages", []) if m.get("ts") != thread_ts]
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                return texts

    async def permalink(self, channel: str, ts: str) -> str:
        """A link to message ``ts`` (``chat.getPermalink``)."""
        return (await self._request(self.client.chat_getPermalink, channel=channel, message_ts=ts))["permalink"]

    async def check(self) -> dict:
        """``auth.test``: who the token is."""
        return (await self._request(self.client.auth_test)).data

    async def _call(self, method, **kwargs) -> str:
        return (await self._request(method, **kwargs))["ts"]

    @staticmethod
    async def _request(method, **kwargs):
        try:
            return await method(**kwargs)
        except SlackApiError as exc:
            raise _classified(exc) from None
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
            raise DeliveryError(f"cannot reach Slack: {type(exc).__name__}: {exc}"[:200]) from None


def _classified(exc: SlackApiError) -> DeliveryError:
    status = exc.response.status_code
    if status == 429:
        retry = exc.response.headers.get("Retry-After") or exc.response.headers.get("retry-after") or "1"
        return DeliveryError("rate limited", retry_after=float(retry))
    error = exc.response.get("error") if isinstance(exc.response.data, dict) else None
    if error:
        return DeliveryError(error, permanent=error in PERMANENT)
    return DeliveryError(f"HTTP {status}")
