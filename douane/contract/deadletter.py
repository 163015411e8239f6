"""Dead letters: input that could not be processed, kept unchanged with the reason.

The record on ``douane.dlq`` has the original key and value bytes, so nothing is
lost and it can be replayed once fixed; the reason and origin ride in headers.
The reason never quotes the payload (it may hold anything a hostile sender put in).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

REASON = "douane.dlq.reason"
STAGE = "douane.dlq.stage"
SOURCE = "douane.dlq.source"
AT = "douane.dlq.at"


@dataclass(frozen=True)
class Origin:
    """Where a record was read: topic, partition and offset."""

    topic: str
    partition: int
    offset: int

    def __str__(self) -> str:
        return f"{self.topic}/{self.partition}@{self.offset}"


@dataclass(frozen=True)
class DeadLetter:
    """A record bound for the DLQ: its original bytes and why it was refused."""

    key: bytes | None
    value: bytes | None
    reason: str
    stage: str
    origin: Origin

    def headers(self, now: datetime | None = None) -> list[tuple[str, bytes]]:
        """Kafka headers that explain the dead letter."""
        at = (now or datetime.now(timezone.utc)).isoformat()
        return [
            (REASON, self.reason.encode()[:1000]),
            (STAGE, self.stage.encode()),
            (SOURCE, str(self.origin).encode()),
            (AT, at.encode()),
        ]


def read_headers(headers: list[tuple[str, bytes]] | dict[str, bytes] | None) -> dict[str, str]:
    """DLQ headers of a consumed record as text (for tools and tests)."""
    items = headers.items() if isinstance(headers, dict) else (headers or [])
    return {k: v.decode(errors="replace") for k, v in items if k.startswith("douane.dlq.")}
