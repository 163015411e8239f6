"""A provider's failed calls over the NIS2 window, each record counted once (stream.alerts.outage_window)."""

from __future__ import annotations

import pytest

from stream.alerts.outage_window import added, minute_of, totals

WINDOW = 15


def counted(*records: tuple[tuple[str, ...], int, tuple[int, int]]) -> dict | None:
    entry = None
    for kinds, minute, position in records:
        entry = added(entry, kinds, minute, WINDOW, position)
    return entry


@pytest.mark.parametrize(("records", "now", "expected"), [
    ([(("lockout",), 100, (0, 1))], 100, {"lockout": 1}),
    ([(("lockout", "failover"), 100, (0, 1)), (("error",), 101, (0, 2))], 101,
     {"lockout": 1, "failover": 1, "error": 1}),
    ([(("lockout",), 100, (0, 1)), (("lockout",), 100, (0, 1))], 100, {"lockout": 1}),  # delivered again
    ([(("lockout",), 100, (0, 5)), (("lockout",), 100, (0, 3))], 100, {"lockout": 1}),  # an earlier one again
    ([(("lockout",), 100, (0, 1)), (("lockout",), 100, (1, 1))], 100, {"lockout": 2}),  # another partition
    ([(("lockout",), 100, (0, 1)), (("lockout",), 114, (0, 2))], 114, {"lockout": 2}),  # the window's edges
    ([(("lockout",), 100, (0, 1)), (("lockout",), 115, (0, 2))], 115, {"lockout": 1}),  # out of the window
])
def test_failed_calls_within_the_window_each_record_once(records, now, expected) -> None:
    assert totals(counted(*records), now, WINDOW) == expected


def test_an_entry_holds_no_minute_older_than_the_window() -> None:
    entry = counted(*[(("error",), minute, (0, minute)) for minute in range(100, 200)])
    assert sorted(int(m) for m in entry["minutes"]) == list(range(200 - WINDOW, 200))
    assert minute_of(6000.0) == 100 and minute_of(6059.9) == 100
