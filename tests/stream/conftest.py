"""Fixtures for the stream tests: an embedded Faust worker on the real broker."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable

from pathlib import Path

from collector import EventPublisher
from douane.contract import AICallEvent
from rules.policy import load_policy

EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
EXAMPLE_POLICY = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")


async def until(condition: Callable[[], bool], timeout: float = 30.0, what: str = "condition") -> None:
    """Poll ``condition`` without blocking the loop; fail with ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(0.05)


async def steady(observe: Callable[[], Hashable | None], what: str, hold: float = 3.0, timeout: float = 60.0) -> None:
    """Poll ``observe`` until it gives the same value for ``hold`` s (``None``: not acceptable yet); fail with
    ``what`` and the last acceptable value after ``timeout``."""
    deadline, since, last = time.monotonic() + timeout, 0.0, None
    while time.monotonic() < deadline:
        now = observe()
        if now is not None and now == last:
            if time.monotonic() - since >= hold:
                return
        else:
            since, last = time.monotonic(), now
        await asyncio.sleep(0.2)
    raise AssertionError(f"{what}: {last}")


def publish(bootstrap: str, items: list[AICallEvent | tuple[str, bytes]]) -> None:
    """Publish events and raw (key, bytes) records in order with kafka-python, and wait for acks."""
    with EventPublisher(bootstrap) as publisher:
        for item in items:
            if isinstance(item, AICallEvent):
                publisher.publish(item)
            else:
                publisher.publish_raw(*item)
        publisher.flush(timeout=30)
