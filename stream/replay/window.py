"""The window an SRE replays: event time (``observed_at``), not Kafka's publish time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone


class ReplayError(RuntimeError):
    """Replay cannot go on; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Window:
    """[start, end) in event time, optionally one tenant's calls only."""

    start: datetime
    end: datetime
    tenant: str | None = None

    def __post_init__(self) -> None:
        for name in ("start", "end"):
            if getattr(self, name).tzinfo is None:
                raise ReplayError(f"--{'from' if name == 'start' else 'to'} needs a time zone (e.g. ...Z or +01:00)")
        if self.end <= self.start:
            raise ReplayError(f"the window ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})")

    def holds(self, observed_at: datetime, tenant: str) -> bool:
        """Whether a call at ``observed_at`` of ``tenant`` falls in the window."""
        return self.start <= observed_at < self.end and (self.tenant is None or tenant == self.tenant)

    @property
    def minutes(self) -> float:
        """The window's length in minutes."""
        return (self.end - self.start) / timedelta(minutes=1)


def parse_time(text: str, option: str) -> datetime:
    """An ISO 8601 time; a naive one is read as UTC. The error names the option."""
    try:
        value = datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise ReplayError(f"{option} {text!r} is not an ISO 8601 time (e.g. 2026-11-02T08:00Z)") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
