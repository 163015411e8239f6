"""What the stream does with each valid event: a small pluggable handler.

The backbone ships :class:`CountingHandler`; the audit pipeline (rules, DuckDB sink,
alerts) plugs in through the same one-method interface.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections import Counter

from douane.contract import AICallEvent

logger = logging.getLogger(__name__)


class EventHandler(ABC):
    """Receives every decoded ``AICallEvent``; raising sends the record to the DLQ."""

    @abstractmethod
    async def handle(self, event: AICallEvent) -> None:
        """Process one event."""


class CountingHandler(EventHandler):
    """Counts events per tenant, provider and destination country, and logs metadata only."""

    def __init__(self) -> None:
        self.seen: list[AICallEvent] = []
        self.by_route: Counter[tuple[str, str, str]] = Counter()

    async def handle(self, event: AICallEvent) -> None:
        """Record the event's route; never its content (it has none)."""
        dest = event.destination
        route = (event.tenant, dest.provider or "unknown", dest.processing_country or "??")
        self.by_route[route] += 1
        self.seen.append(event)
        logger.info("event %s tenant=%s provider=%s country=%s categories=%d",
                    event.event_id, *route, len(event.personal_data.categories))
