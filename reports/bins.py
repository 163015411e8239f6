"""Time bins for the report charts: a width that gives a readable number of bars for the data's span
(minutes for an hour of data, hours for a day, days for a month), and tick labels that say the date
when the data crosses midnight."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
STEPS = (5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY,
         7 * DAY)
"""Widths a bin may take: whole divisions of an hour, a day or a week, so bars start on round times."""

MAX_BARS = 36
"""About as many bars as a page-wide chart can label legibly."""

FINEST = STEPS[0]
"""The granularity the store is queried at; coarser bins are sums of these."""


@dataclass(frozen=True)
class Bin:
    """A bin width, its name in words, and the format of its tick labels."""

    width: timedelta
    name: str
    label: str

    def floor(self, at: datetime) -> datetime:
        """The start of the bin ``at`` falls in (bins are aligned on midnight UTC, weeks on a Monday)."""
        epoch = datetime(2000, 1, 3, tzinfo=timezone.utc)  # a Monday
        return at - (at - epoch) % self.width

    def starts(self, first: datetime, last: datetime) -> list[datetime]:
        """Every bin from the one holding ``first`` to the one holding ``last``, empty ones included."""
        at, end, out = self.floor(first), self.floor(last), []
        while at <= end:
            out.append(at)
            at += self.width
        return out


def bin_for(first: datetime, last: datetime, bars: int = MAX_BARS) -> Bin:
    """The narrowest width of :data:`STEPS` that covers [first, last] in at most ``bars`` bars."""
    width = next((s for s in STEPS if len(Bin(s, "", "").starts(first, last)) <= bars), STEPS[-1])
    return of(width, first, last)


def of(width: timedelta, first: datetime, last: datetime) -> Bin:
    """The bin of ``width`` for data from ``first`` to ``last``, with its name and label format."""
    return Bin(width, _name(width), _label(width, first, last))


def _name(width: timedelta) -> str:
    if width >= DAY:
        days = width // DAY
        return "day" if days == 1 else "week" if days == 7 else f"{days} days"
    if width >= HOUR:
        hours = width // HOUR
        return "hour" if hours == 1 else f"{hours} hours"
    return f"{width // MINUTE} minutes"


def _label(width: timedelta, first: datetime, last: datetime) -> str:
    """Days for day bins; times within one day; date and time when the bins cross midnight."""
    if width >= DAY:
        return "%d %b" if first.year == last.year else "%d %b %Y"
    return "%H:%M" if first.date() == last.date() else "%d %b %H:%M"
