"""UUIDv7 layout and ordering."""

from __future__ import annotations

import time

import pytest

from douane.ids import uuid7, uuid7_unix_ms


def test_uuid7_has_version_variant_and_time() -> None:
    before = time.time_ns() // 1_000_000
    value = uuid7()
    after = time.time_ns() // 1_000_000
    assert value.version == 7
    assert value.variant == "specified in RFC 4122"
    assert before <= uuid7_unix_ms(value) <= after


def test_uuid7_sorts_by_time() -> None:
    ids = [uuid7(ms) for ms in (1_000, 2_000, 3_000, 1_700_000_000_000)]
    assert sorted(ids) == ids


def test_uuid7_is_unique_within_a_millisecond() -> None:
    assert len({uuid7(42) for _ in range(1000)}) == 1000


@pytest.mark.parametrize("ms", [-1, 1 << 48])
def test_uuid7_refuses_out_of_range_timestamps(ms: int) -> None:
    with pytest.raises(ValueError):
        uuid7(ms)
