"""The ledger's canonical form is RFC 8785 JSON: held equal to the reference implementation."""

from __future__ import annotations

from datetime import datetime, timezone

import pyarrow.parquet as pq
import pytest
import rfc8785

from stream.store import StoreBatch
from stream.store.canonical import canonical, digest
from tests.stream.store_helpers import audited

DOCUMENTS = [
    {"b": 1, "a": [0.5, 12.345, 1e-7, 1e-5, 3.0, -0.0, 123456.789, 1e300, 2.0 ** 60]},
    {"s": "é\u2028\x00\x1f\b\t\n\"\\/<>\x7f", "€": "\U0001f600"},
    {"z": None, "y": True, "x": [], "w": {}, "v": {"nested": [False, 0, -1, 2 ** 53 - 1]}},
    {"latency_ms": 230.0, "status": 200, "categories": ["user.contact.email"], "category_counts": [2]},
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_the_canonical_form_is_rfc_8785(document: dict) -> None:
    assert canonical(document) == rfc8785.dumps(document)


def test_timestamps_are_utc_text_with_microseconds() -> None:
    moment = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)
    assert canonical({"t": moment}) == b'{"t":"2026-11-02T09:30:00.000000Z"}'


def test_a_number_without_a_canonical_form_is_refused() -> None:
    with pytest.raises(ValueError, match="finite numbers only"):
        canonical({"x": float("nan")})


def test_the_writer_hashes_what_a_reader_of_the_parquet_rows_recomputes(tmp_path) -> None:
    batch = StoreBatch.of(audited(300))
    pq.write_table(batch.calls, tmp_path / "segment.parquet")
    rows = pq.read_table(tmp_path / "segment.parquet").to_pylist()
    assert [digest(r) for r in rows] == batch.hashes
