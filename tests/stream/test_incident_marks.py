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


@pytest.mark.parametrize(("source", "again", "seen"), [
    ((0, 41), (0, 41), True),  # the same call, judged again and published as a new record
    ((0, 41), (0, 40), True),  # an earlier call of the same partition of douane.ai-calls
    ((0, 41), (0, 42), False),  # the next call
    ((0, 41), (1, 5), False),  # a call read from another partition
    ((0, 41), None, False),  # a record without the header (an older producer): counted as before
    (None, (0, 41), False),  # nothing counted by source yet
])
def test_a_call_at_or_below_its_partitions_source_mark_was_counted(source, again, seen) -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, AT, position=(2, 7), source=source)
    assert inc.counted(state, (2, 99), again) is seen  # a new record on the feeding topic, whatever its source


def test_the_source_marks_keep_the_highest_call_of_each_partition() -> None:
    state = inc.open_nis2("shop-berlin", "openai", {"lockout": 3}, 15, AT, position=(2, 7), source=(0, 41))
    state = inc.record_signal(state, AT, position=(2, 8), source=(1, 3))
    state = inc.record_signal(state, AT, position=(2, 9), source=(0, 40))  # a call of an older poll
    assert state["sources_counted"] == {"0": 41, "1": 3}
