"""A batch of audited calls as the writer stores it: typed Arrow tables, built wherever the CPU is free.

Building the tables is Python work (attribute reads per call); writing them is DuckDB's.
Keeping the two apart lets the sink build the next batch in another process while DuckDB
writes this one, so neither waits on the other for Python's interpreter lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from stream.store.rows import CALL_COLUMNS, Audited, call_columns, finding_sets

_TS = pa.timestamp("us", tz="UTC")
_TEXTS = pa.list_(pa.string())
_ARROW_OF = {"UUID": pa.string(), "TIMESTAMPTZ": _TS, "VARCHAR": pa.string(), "VARCHAR[]": _TEXTS,
             "INTEGER": pa.int32(), "INTEGER[]": pa.list_(pa.int32()), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(),
             "BIGINT": pa.int64()}
CALLS_SCHEMA = pa.schema([(name, _ARROW_OF[kind]) for name, kind in CALL_COLUMNS] + [("fset", pa.int32())])
"""The ``calls`` columns plus ``fset``: the number of the call's findings set in :data:`FINDING_SETS_SCHEMA`."""

FINDING_SETS_SCHEMA = pa.schema([
    ("fset", pa.int32()), ("rule_id", pa.string()), ("severity", pa.string()), ("articles", _TEXTS),
    ("title", pa.string()), ("explanation", pa.string()), ("remediation", pa.string()),
])


@dataclass(frozen=True)
class StoreBatch:
    """The calls of one batch (each event once) and their distinct findings sets; ``received`` counts duplicates."""

    calls: pa.Table
    finding_sets: pa.Table
    received: int

    @classmethod
    def of(cls, items: list[Audited]) -> "StoreBatch":
        """The batch for ``items``; an event delivered twice in it is kept once (its first delivery)."""
        first = {str(i.event.event_id): i for i in reversed(items)}
        event_ids, unique = list(first)[::-1], list(first.values())[::-1]
        calls = call_columns(unique, event_ids)
        calls["fset"], findings = finding_sets(unique)
        return cls(_table(calls, CALLS_SCHEMA), _table(findings, FINDING_SETS_SCHEMA), len(items))


def _table(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    """A typed Arrow table from Python columns (the conversion runs in C++)."""
    return pa.table([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)
