"""One request in, one reply out: the worker's per-request logic as a plain function."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import datetime, timezone
from uuid import UUID

from douane.contract import (
    DecodeError,
    RedirectRequest,
    RedirectResponse,
    ReplyError,
    ReplyStatus,
    decode_redirect,
)
from inference.engines import Engine
from inference.errors import EngineError, EngineUnavailable

logger = logging.getLogger(__name__)


async def answer(engine: Engine, request: RedirectRequest, timeout_s: float) -> RedirectResponse:
    """Ask ``engine``; every outcome — answer, timeout, failure, expired deadline — is a reply."""
    started = time.perf_counter()
    budget = min(timeout_s, (request.deadline - datetime.now(timezone.utc)).total_seconds())
    if budget <= 0:
        return failure(request.correlation_id, engine.name, "expired", "the caller's deadline passed before work began")
    try:
        generation = await asyncio.wait_for(engine.generate(request), timeout=budget)
    except TimeoutError:
        return failure(request.correlation_id, engine.name, "timeout", f"no answer within {budget:.1f} s")
    except EngineUnavailable as exc:
        return failure(request.correlation_id, engine.name, "unavailable", str(exc))
    except EngineError as exc:
        return failure(request.correlation_id, engine.name, "engine_error", str(exc))
    return RedirectResponse(
        correlation_id=request.correlation_id, status=ReplyStatus.OK, text=generation.text,
        finish_reason=generation.finish_reason, engine=engine.name, model=generation.model[:200],
        prompt_tokens=generation.prompt_tokens, completion_tokens=generation.completion_tokens,
        latency_ms=(time.perf_counter() - started) * 1000)


def failure(correlation_id: UUID, engine: str, kind: str, message: str) -> RedirectResponse:
    """An error reply: the caller learns at once instead of waiting out its deadline."""
    return RedirectResponse(correlation_id=correlation_id, status=ReplyStatus.ERROR, finish_reason="error",
                            engine=engine, model="-", error=ReplyError(kind=kind, message=message[:200]))


def parse(value: bytes | None, key: bytes | None, engine: str) -> RedirectRequest | RedirectResponse:
    """The request, or — when it cannot be read — a ``bad_request`` reply to the id in the key.

    Raises :class:`DecodeError` when neither the value nor the key names a correlation id,
    so the record can only go to the dead-letter topic.
    """
    try:
        return decode_redirect(value)
    except DecodeError as exc:
        correlation_id = _uuid(key)
        if correlation_id is None:
            raise
        return failure(correlation_id, engine, "bad_request", exc.reason)


def _uuid(key: bytes | None) -> UUID | None:
    try:
        return UUID(key.decode()) if key else None
    except (ValueError, UnicodeDecodeError):
        return None
