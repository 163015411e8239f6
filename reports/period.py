"""A period's calls split by where the reports read them: segments' roll-ups for whole days, calls for the rest.

A roll-up (``stream.store.rollup``) counts whole UTC days of one segment. A report's period
[start, end) reads its whole days from the roll-ups of the segments that have them, and reads
calls for everything else: segments without roll-ups (fresh ones, before compaction) and, in
rolled-up segments, the hours of a day the period cuts. Each hour is read once, by one side.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from stream.store.rollup import DAY_US

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def whole_days(start: datetime, end: datetime) -> tuple[int, int]:
    """The days (counted from the epoch) that lie whole in [start, end): from the first, up to the second."""
    return -(-_epoch_us(start) // DAY_US), _epoch_us(end) // DAY_US


def day_start(day: int) -> datetime:
    """Midnight (UTC) of a day counted from the epoch."""
    return _EPOCH + timedelta(days=day)


def calls_beside_rollups(start: datetime, end: datetime) -> tuple[str, dict]:
    """SQL (a parenthesised query with ``$tenant``) of the period's calls that its roll-ups do not count, and
    its parameters: every call of segments without roll-ups, and the cut days' calls of those with."""
    parts = ["SELECT * FROM raw_segments WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end"]
    params = {"start": start, "end": end}
    for n, (since, until) in enumerate(_cut_hours(start, end)):
        parts.append(f"SELECT * FROM rolled_segments WHERE tenant = $tenant AND observed_at >= $cut{n}_from "
                     f"AND observed_at < $cut{n}_to")  # a range of its own, so row-group statistics skip the rest
        params |= {f"cut{n}_from": since, f"cut{n}_to": until}
    return "(" + " UNION ALL BY NAME ".join(parts) + ")", params


def _cut_hours(start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The parts of [start, end) outside its whole days (all of it when it holds none)."""
    first_day, end_day = whole_days(start, end)
    if first_day >= end_day:
        return [(start, end)] if start < end else []
    return [(a, b) for a, b in ((start, day_start(first_day)), (day_start(end_day), end)) if a < b]


def _epoch_us(at: datetime) -> int:
    at = at if at.tzinfo else at.replace(tzinfo=timezone.utc)  # the store's connections read times in UTC
    return (at - _EPOCH) // timedelta(microseconds=1)
