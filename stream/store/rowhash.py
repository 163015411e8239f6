"""The canonical form of many records at once, built column by column: the ledger's fast path.

``canonical()`` of one record walks it in Python and sorts its keys: about 10 µs for a call,
a tenth of what a sink may spend on it. Here each column is encoded once per *distinct*
value (a batch holds a few tenants, hosts, decisions; a segment a few findings sets) and a
record's bytes are the join of its columns' pieces, keys in sorted order. msgspec writes a
value the same wherever it stands, so the join is byte for byte what ``canonical()`` gives for
the whole record; ``tests/stream/test_ledger_rowhash.py`` holds the two equal on generated records.

Values are memoised by equality, where ``True == 1``: a column or list that mixes booleans with
numbers is encoded value by value instead, as is anything unhashable that is not a list.
"""

from __future__ import annotations

from datetime import date, datetime
import msgspec
import pyarrow as pa
import pyarrow.compute as pc

from stream.store.canonical import canonical

_MEMOISED = frozenset({str, int, float, bool, type(None), datetime, date})
_NUMBERS = frozenset({int, float})
_NORMALISED = frozenset({float, datetime, date})  # what canonical() rewrites before msgspec encodes it
_PLAIN = msgspec.json.Encoder()


def canonical_rows(columns: dict[str, list], encoded: dict[str, list[bytes]] | None = None) -> list[bytes]:
    """Each record's RFC 8785 bytes: ``canonical({name: column[i] ...})`` for every row ``i``.

    ``columns`` holds one list of values per key; ``encoded`` one list of values already in
    canonical JSON (a findings column encoded once per distinct set, an Arrow column).
    """
    pieces = {name: _values(values, _prefix(name)) for name, values in columns.items()}
    for name, values in (encoded or {}).items():
        prefix = _prefix(name)
        pieces[name] = [prefix + value for value in values]
    ordered = [pieces[name] for name in sorted(pieces)]
    if not ordered:
        return []
    return [b"{%s}" % b",".join(row) for row in zip(*ordered, strict=True)]


def table_rows(table: pa.Table) -> list[bytes]:
    """Each row's canonical bytes, read from Arrow (what ``canonical()`` gives for ``table.to_pylist()``)."""
    return _object_rows({name: table.column(name).combine_chunks() for name in table.column_names})


def arrow_values(array: pa.Array, prefix: bytes = b"") -> list[bytes]:
    """The canonical JSON of each value of ``array`` after ``prefix``; lists and structs are encoded child by child."""
    kind = array.type
    if pa.types.is_struct(kind):
        fields = {kind.field(i).name: array.field(i) for i in range(kind.num_fields)}
        rows = _object_rows(fields) or [b"{}"] * len(array)
        return _with_nulls(array, [prefix + row for row in rows] if prefix else rows, prefix)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        items, offsets = arrow_values(array.values), array.offsets.to_pylist()
        opened = prefix + b"["
        return _with_nulls(array, [opened + b",".join(items[a:b]) + b"]" for a, b in zip(offsets, offsets[1:])],
                           prefix)
    if pa.types.is_timestamp(kind) and kind.unit == "us" and kind.tz in ("UTC", "+00:00"):
        # Arrow prints a naive timestamp[us] as 'YYYY-MM-DD HH:MM:SS.ffffff' (fast); canonical text is ...T...Z
        texts = pc.replace_substring(array.cast(pa.timestamp("us")).cast(pa.string()), " ", "T", max_replacements=1)
        return _values(pc.binary_join_element_wise(texts, "Z", "").to_pylist(), prefix)
    return _values(array.to_pylist(), prefix)


def _object_rows(fields: dict[str, pa.Array]) -> list[bytes]:
    """Each row of these equally long arrays as a canonical JSON object."""
    if not fields:
        return []
    ordered = [arrow_values(fields[name], _prefix(name)) for name in sorted(fields)]
    return [b"{%s}" % b",".join(row) for row in zip(*ordered, strict=True)]


def _with_nulls(array: pa.Array, values: list[bytes], prefix: bytes) -> list[bytes]:
    if not array.null_count:
        return values
    null = prefix + b"null"
    return [null if missing else value for value, missing in zip(values, array.is_null().to_pylist())]


def _prefix(name: str) -> bytes:
    return canonical(name) + b":"


def _values(values: list, prefix: bytes = b"") -> list[bytes]:
    """``prefix`` and the canonical JSON of each value, each distinct one encoded once where that is safe."""
    kinds = set(map(type, values))
    encode = canonical if kinds & _NORMALISED else _PLAIN.encode  # str, int, bool, None: msgspec as it is
    if kinds <= _MEMOISED and not (bool in kinds and kinds & _NUMBERS):
        memo = {value: prefix + encode(value) for value in dict.fromkeys(values)}
        return [memo[value] for value in values]
    if kinds <= {list, type(None)}:
        inner = {type(item) for value in values if value for item in value}
        if inner <= _MEMOISED and not (bool in inner and inner & _NUMBERS):
            keys = [tuple(value) if value is not None else None for value in values]
            memo = {key: prefix + canonical(list(key) if key is not None else None) for key in dict.fromkeys(keys)}
            return [memo[key] for key in keys]
    return [prefix + canonical(value) for value in values]
