"""``douane store migrate``: a single-file DuckDB store of an earlier Douane into the folder layout.

The old file's own ledger is verified first (a store that does not verify is not migrated
unless forced: its problems would be laundered into a freshly signed ledger). Calls move with
their findings, then policies, activities, providers and every incident; the new store is
then verified, and the counts compared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa

from stream.store import legacy, legacy_ledger
from stream.store.batch import CALLS_SCHEMA, NO_ORIGIN, StoreBatch
from stream.store.canonical import digest
from stream.store.declared import SCHEMAS
from stream.store.layout import StoreError
from stream.store.rows import CALL_COLUMNS, SEGMENT_COLUMNS
from stream.store.writer import StoreWriter

CHUNK = 50_000


@dataclass
class Migrated:
    """What a migration moved, and what the old ledger said first."""

    calls: int = 0
    declared: dict[str, int] = field(default_factory=dict)
    old_problems: list[str] = field(default_factory=list)


def migrate(source: Path, writer: StoreWriter, *, force: bool = False) -> Migrated:
    """Move ``source`` into ``writer``'s store; :class:`StoreError` if the old ledger does not verify."""
    legacy.upgrade(source)  # an older schema is brought to the last single-file version first
    con = legacy.open_store(source, read_only=True)
    try:
        result = Migrated(old_problems=[str(p) for p in legacy_ledger.verify(con).problems])
        if result.old_problems and not force:
            raise StoreError(f"{source} does not verify ({len(result.old_problems)} problem(s), first: "
                             f"{result.old_problems[0]}); migrate it anyway with --force")
        result.calls = _calls(con, writer)
        for table in ("policies", "processing_activities", "providers"):
            result.declared[table] = _declared(con, writer, table)
        documents = [r[0] for r in con.execute("SELECT document FROM incidents ORDER BY last_seen").fetchall()]
        for document in documents:
            writer.record_incident(json.loads(document))
        result.declared["incidents"] = len(documents)
    finally:
        con.close()
    return result


_CALLS_SQL = f"""
    WITH f AS (SELECT event_id, list({{'rule_id': rule_id, 'severity': severity, 'articles': articles, 'title': title,
                                      'explanation': explanation, 'remediation': remediation}} ORDER BY rule_id) AS fs
               FROM findings GROUP BY event_id)
    SELECT {", ".join(f"c.{n}::VARCHAR AS {n}" if n == "event_id" else f"c.{n}" for n, _ in CALL_COLUMNS)},
           coalesce(f.fs, []) AS findings
    FROM calls c LEFT JOIN f ON f.event_id = c.event_id
    ORDER BY c.batch_id, c.event_id
"""


def _calls(con, writer: StoreWriter) -> int:
    moved = 0
    reader = con.sql(_CALLS_SQL).to_arrow_reader(CHUNK)
    for chunk in reader:
        table = _with_replay_columns(pa.Table.from_batches([chunk])).cast(CALLS_SCHEMA)
        rows = table.to_pylist()
        batch = StoreBatch(table, [digest(r) for r in rows], [NO_ORIGIN] * len(rows), list(range(len(rows))),
                           len(rows))
        moved += writer.write_batch(batch).written
    return moved


def _with_replay_columns(table: pa.Table) -> pa.Table:
    """The single-file store kept no scan state, consent reference, region hints or subject reference: NULL each."""
    at = table.schema.get_field_index("findings")
    for offset, (name, _) in enumerate(SEGMENT_COLUMNS[len(CALL_COLUMNS):]):
        field = CALLS_SCHEMA.field(name)
        table = table.add_column(at + offset, field, pa.nulls(table.num_rows, field.type))
    return table


def _declared(con, writer: StoreWriter, table: str) -> int:
    columns = ", ".join(f"{c}::VARCHAR AS {c}" if c == "document" else c for c in SCHEMAS[table].names)
    rows = con.sql(f"SELECT {columns} FROM {table}").to_arrow_table().cast(SCHEMAS[table]).to_pylist()
    entry = writer.record_rows(table, rows)
    return entry.count if entry else 0
