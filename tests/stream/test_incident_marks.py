"""Which records an incident has counted: its mark on the topic that feeds it (stream.alerts.incidents)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from stream.alerts import incidents as inc

AT = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("mark", "position", "seen"), [
    (None, (2, 7), False),  # a new incident
    ((2, 7), (2, 7), True),  # the last record counted, delivered again
    ((2, 7), (2, 3), True),  # an earlier one of the same poll
    ((2, 7), (2, 8), False),  # the next record
    ((2, 7), (3, 1), False),  # another partition (the topic was given more): counted
    ((2, 7), None, False),  # no position known (a record built outside a stream)
])
def test_a_record_at_or_below_the_mark_was_counted(mark, position, seen) -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, AT, position=mark)
    assert inc.counted(state, position) is seen


def test_counting_moves_the_mark_and_a_reopening_keeps_it() -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, AT, position=(1, 10))
    state = inc.record_signal(state, AT, position=(1, 11))
    assert state["counted_up_to"] == {"partition": 1, "offset": 11} and state["count"] == 4
    state = inc.record_signal(inc.resolved(state, AT), AT, position=(1, 12))
    assert state["status"] == "reopened" and inc.counted(state, (1, 12)) and not inc.counted(state, (1, 13))
