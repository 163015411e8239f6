"""A batch of audited calls as the writer stores it: typed Arrow tables, built wherever the CPU is free.

Building the tables is Python work (attribute reads per call); writing them is DuckDB's.
Keeping the two apart lets the sink build the next batch in another process while DuckDB
writes this one, so neither waits on the other for Python's interpreter lock.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from stream.store.rows import Audited, call_columns, finding_sets

_TS = pa.timestamp("us", tz="UTC")
_TEXTS = pa.list_(pa.string())
CALLS_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("observed_at", _TS), ("tenant", pa.string()), ("tap_kind", pa.string()),
    ("tap_name", pa.string()), ("platform", pa.string()), ("feature", pa.string()), ("activity_id", pa.string()),
    ("subject_country", pa.string()), ("host", pa.string()), ("path", pa.string()), ("provider", pa.string()),
    ("model", pa.string()), ("locations", _TEXTS), ("entity_country", pa.string()), ("categories", _TEXTS),
    ("category_counts", pa.list_(pa.int32())), ("special", pa.bool_()), ("content_hash", pa.string()),
    ("action", pa.string()), ("status", pa.int32()), ("latency_ms", pa.float64()), ("request_bytes", pa.int64()),
    ("response_bytes", pa.int64()), ("prompt_tokens", pa.int64()), ("completion_tokens", pa.int64()),
    ("error_class", pa.string()), ("decision", pa.string()), ("basis", pa.string()), ("severity", pa.string()),
    ("enforcement", pa.string()), ("rules_version", pa.string()), ("fset", pa.int32()),
])
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
