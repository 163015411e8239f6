"""Work in flight when a worker stops gracefully is finished, not dropped.

Faust acknowledges the event a stream is on when the stream closes, whether the agent
finished with it or not, and a later commit makes that final. An agent that is cancelled
(SIGTERM, a rolling restart, a rebalance) half-way through a batch would so mark work as
done that never happened: signals never counted, a reminder sent but not recorded. The
agents therefore run each unit of work through :func:`to_the_end`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import TypeVar

T = TypeVar("T")


async def to_the_end(work: Awaitable[T]) -> T:
    """Await ``work``; if the caller is cancelled meanwhile, let ``work`` finish first, then pass the cancel on."""
    task = asyncio.ensure_future(work)
    cancelled = False
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError:
            if task.cancelled():
                raise
            cancelled = True  # the caller was cancelled, not the work: keep waiting for it
            continue
        if cancelled:
            raise asyncio.CancelledError()
        return result
