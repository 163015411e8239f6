"""The column-by-column canonical form (verify's fast path) is byte for byte ``canonical()`` of each record."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from stream.store.canonical import canonical
from stream.store.rowhash import canonical_rows, table_rows

TEXT = st.text(max_size=12)  # any code point: escapes, surrogate pairs in JSON, U+2028
FLOAT = st.floats(allow_nan=False, allow_infinity=False)  # whole, -0.0, 1e300, 5e-324, 0.1 ...
MOMENT = st.datetimes(min_value=datetime(1000, 1, 1), max_value=datetime(9999, 12, 31),
                      timezones=st.just(timezone.utc))
FINDING = pa.struct([("rule_id", pa.string()), ("articles", pa.list_(pa.string())), ("score", pa.float64())])
SCHEMA = pa.schema([
    ("text", pa.string()), ("count", pa.int64()), ("ratio", pa.float64()), ("flag", pa.bool_()),
    ("at", pa.timestamp("us", tz="UTC")), ("at_ms", pa.timestamp("ms", tz="UTC")), ("day", pa.date32()),
    ("tags", pa.list_(pa.string())), ("counts", pa.list_(pa.int32())), ("findings", pa.list_(FINDING)),
    ("hint", pa.struct([("key", pa.string()), ("value", pa.string())])),
])


def few(values):
    """Values drawn from a small pool, so that the memo of distinct values is exercised."""
    return st.lists(values, min_size=1, max_size=4).flatmap(lambda pool: st.sampled_from(pool))


def maybe(values):
    return st.none() | few(values)


FINDINGS = st.lists(st.fixed_dictionaries({"rule_id": TEXT, "articles": st.lists(TEXT, max_size=3) | st.none(),
                                          "score": st.none() | FLOAT}) | st.none(), max_size=3)
ROW = st.fixed_dictionaries({
    "text": maybe(TEXT), "count": maybe(st.integers(-2 ** 63, 2 ** 63 - 1)), "ratio": maybe(FLOAT),
    "flag": st.none() | st.booleans(), "at": maybe(MOMENT),
    "at_ms": st.none() | MOMENT.map(lambda m: m.replace(microsecond=m.microsecond // 1000 * 1000)),
    "day": maybe(st.dates(min_value=date(1000, 1, 1))), "tags": maybe(st.lists(TEXT, max_size=3)),
    "counts": maybe(st.lists(st.integers(-2 ** 31, 2 ** 31 - 1), max_size=3)), "findings": st.none() | FINDINGS,
    "hint": st.none() | st.fixed_dictionaries({"key": TEXT, "value": st.none() | TEXT}),
})


@settings(max_examples=100, deadline=None)
@given(st.lists(ROW, max_size=12), st.integers(0, 3))
def test_an_arrow_table_encodes_as_canonical_of_each_row(rows: list[dict], cut: int) -> None:
    table = pa.Table.from_pylist(rows, schema=SCHEMA)
    table = table.slice(min(cut, len(rows)))  # a slice: list offsets and struct children start inside their buffers
    assert table_rows(table) == [canonical(r) for r in table.to_pylist()]


SCALAR = st.none() | st.booleans() | st.integers() | FLOAT | TEXT | MOMENT
VALUE = st.recursive(SCALAR, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                     max_leaves=6)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(TEXT, st.lists(few(VALUE), min_size=3, max_size=3), max_size=5))
def test_python_columns_encode_as_canonical_of_each_record(columns: dict[str, list]) -> None:
    """Mixed types too: ``True`` and ``1`` (equal as dict keys) are never given each other's form."""
    expected = [canonical({name: values[i] for name, values in columns.items()}) for i in range(3)]
    assert canonical_rows(columns) == (expected if columns else [])


def test_booleans_and_numbers_that_compare_equal_keep_their_own_form() -> None:
    columns = {"a": [True, 1, 1.0, False, 0, -0.0], "b": [[True], [1], [1.0], [False], [0], [0.0]]}
    assert canonical_rows(columns) == [b'{"a":true,"b":[true]}', b'{"a":1,"b":[1]}', b'{"a":1,"b":[1]}',
                                       b'{"a":false,"b":[false]}', b'{"a":0,"b":[0]}', b'{"a":0,"b":[0]}']
