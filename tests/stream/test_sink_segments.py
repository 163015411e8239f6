"""Segments encoded in the preparing process: the files a sink writes from them, and a redelivery that skips them."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from stream.store import StoreBatch
from stream.store.batch import encode_segments
from tests.stream.store_helpers import Keyed, audited, count, keyed


@pytest.fixture
def k(tmp_path: Path) -> Keyed:
    return keyed(tmp_path)


def from_partitions(items: list, partitions: int = 3, start: int = 0) -> StoreBatch:
    """A batch as the sink reads it: each call from a partition, at consecutive offsets there."""
    origins = [(i % partitions, start + i // partitions) for i in range(len(items))]
    ranges = {p: (start, start + (len(items) - 1 - p) // partitions) for p in range(partitions)}
    return StoreBatch.of(items, origins, ranges)


def test_an_encoded_batch_stores_what_the_writer_would_encode_itself(tmp_path: Path) -> None:
    items = audited(400, tenants=("shop-berlin", "shop-lyon", "pharma-lyon"))
    plain, encoded = keyed(tmp_path / "plain"), keyed(tmp_path / "encoded")
    batch = from_partitions(items)
    ready = batch.encoded()
    assert batch.calls.column("event_id").to_pylist() == [str(i.event.event_id) for i in items]
    assert sorted(ready.segments) == [0, 1, 2] and not batch.segments
    for partition, rows in batch.by_partition().items():
        assert [s.rows for s in ready.segments[partition]] == [s.rows for s in encode_segments(batch.calls, rows)]
    assert plain.writer().write_batch(batch).written == encoded.writer().write_batch(ready).written == 400
    for k in (plain, encoded):
        assert k.verify().intact, k.problems()
    files = sorted(p.relative_to(encoded.root) for p in (encoded.root / "calls").rglob("*.parquet"))
    assert len(files) >= 9, "one segment per partition, tenant and day"
    for relative in files:
        mine = pq.read_table(encoded.root / relative)
        theirs = pq.read_table(next((plain.root / relative.parent).glob(f"{relative.name.rsplit('-', 1)[0]}-*")))
        assert mine.equals(theirs)


def test_a_redelivered_partition_is_written_without_the_rows_already_stored(k: Keyed) -> None:
    items = audited(300)
    writer = k.writer()
    first = from_partitions(items[:150])
    assert writer.write_batch(first.encoded()).written == 150
    again = from_partitions(items, start=0).encoded()  # the sink died after the first write: all read again
    result = writer.write_batch(again)
    assert (result.written, result.duplicates) == (150, 150)
    assert count(writer.con, "SELECT count(*) FROM calls") == 300
    assert count(writer.con, "SELECT count(DISTINCT event_id) FROM calls") == 300
    assert k.verify().intact, k.problems()
