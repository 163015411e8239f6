"""The store's one read interface: a DuckDB connection over a snapshot of the committed segments.

``open_store(path)`` lists the ledger's entries once, and defines the tables every reader
knows (``calls``, ``findings``, ``call_destinations``, ``transfers``, ``policies``,
``processing_activities``, ``providers``, ``incidents``, ``alert_state``, ``ledger``) as views
over exactly the segment files those entries name. Segments are immutable and an entry is
created only after its files are whole, so a reader never waits for a writer, never takes a
lock on its files, and sees each write whole or not at all. Reports, ``ledger verify``, replay
and ad-hoc DuckDB all start here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from stream.store import chain as ledger
from stream.store.batch import CALLS_SCHEMA
from stream.store.bucket import is_bucket, pulled
from stream.store.chain import Entry
from stream.store.declared import SCHEMAS
from stream.store.layout import CALLS, DECLARED, Identity, read_identity
from stream.store.rows import DESTINATION_VIEWS_SQL
from stream.store.rollup import bins_sql, rollup_files, rollup_sql, trusted

REMOVING = ("tombstone", "compaction")
"""Kinds of entries that take segments out of the live set."""


@dataclass
class Snapshot:
    """The entries of every chain as read at one moment, and the segment files they make live."""

    root: Path
    identity: Identity
    entries: dict[str, list[Entry]] = field(default_factory=dict)

    @property
    def removed(self) -> set[str]:
        """Files a tombstone lawfully removed, or a compaction replaced."""
        return {f for es in self.entries.values() for e in es if e.kind in REMOVING
                for f in e.body.get("removed_files", ())}

    def live_files(self, prefix: str) -> list[str]:
        """Segment files under ``prefix`` that an entry names and no tombstone removed, in commit order."""
        removed = self.removed
        return [f for es in self.entries.values() for e in es for f, _ in e.files
                if f.startswith(prefix) and f not in removed]

    def rolled_up(self) -> set[str]:
        """Live call segments whose roll-ups are present and match the digests in the entry that names them."""
        live = set(self.live_files(f"{CALLS}/"))
        return {f for es in self.entries.values() for e in es if e.body.get("rollups") for f, _ in e.files
                if f in live and trusted(self.root, f, e.body["rollups"])}


def snapshot(root: Path | str) -> Snapshot:
    """Read every chain's entries (headers only); a bucket store (``s3://``) is pulled to a local copy first."""
    root = pulled(root) if is_bucket(root) else Path(root)
    snap = Snapshot(root, read_identity(root))
    for name in ledger.chains(root):
        snap.entries[name] = [ledger.read_entry(p) for p in ledger.entry_files(root, name)]
    return snap


def open_store(path: Path | str, *, read_only: bool = True, rollups: bool = True) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection (in memory) whose views read the store's committed segments as of now.

    ``rollups=False`` reads every call from its segment, as if no segment had roll-ups (for checks)."""
    return connect(snapshot(path), rollups=rollups)


def connect(snap: Snapshot, *, rollups: bool = True) -> duckdb.DuckDBPyConnection:
    """A connection over ``snap``."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    live = snap.live_files(f"{CALLS}/")
    _segments(con, "call_segments", live, CALLS_SCHEMA, snap.root)
    _rollup_views(con, snap, live, snap.rolled_up() if rollups else set())
    for table, schema in SCHEMAS.items():
        _segments(con, f"{table}_segments", snap.live_files(f"{DECLARED}/{table}/"), schema, snap.root)
    con.execute(_VIEWS)
    _ledger_table(con, snap)
    con.execute(f"CREATE TABLE store_info AS SELECT {_literal(str(snap.root))} AS root, "
                f"{_literal(snap.identity.id)} AS store_id")
    return con


def _segments(con: duckdb.DuckDBPyConnection, name: str, files: list[str], schema: pa.Schema, root: Path) -> None:
    """A view over the given segments, with each row's file and place in it (for newest-version views)."""
    if not files:
        empty = schema.empty_table().append_column("filename", pa.array([], pa.string())).append_column(
            "file_row_number", pa.array([], pa.int64()))
        con.register(f"{name}_empty", empty)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_empty")
        con.unregister(f"{name}_empty")
        return
    paths = ", ".join(_literal(str(root / f)) for f in files)
    scan = (f"read_parquet([{paths}], filename = true, file_row_number = true, union_by_name = true, "
            "hive_partitioning = false)")  # the columns the segments hold, not ones guessed from folder names
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()}
    # a column of today's schema that no segment has yet (all written before it existed) reads as NULL
    missing = ", ".join(f"NULL::{_sql_type(schema.field(c).type)} AS {c}" for c in schema.names if c not in present)
    con.execute(f"CREATE VIEW {name} AS SELECT *{', ' + missing if missing else ''} FROM {scan}")


def _rollup_views(con: duckdb.DuckDBPyConnection, snap: Snapshot, live: list[str], rolled: set[str]) -> None:
    """``rolled_segments`` and ``raw_segments`` split the live segments by whether they have trusted roll-ups;
    ``call_rollups`` and ``call_rollup_bins`` read those roll-ups (see :mod:`stream.store.rollup`)."""
    _segments(con, "rolled_segments", [f for f in live if f in rolled], CALLS_SCHEMA, snap.root)
    _segments(con, "raw_segments", [f for f in live if f not in rolled], CALLS_SCHEMA, snap.root)
    for view, which, sql in (("call_rollups", 0, rollup_sql), ("call_rollup_bins", 1, bins_sql)):
        files = [rollup_files(f)[which] for f in live if f in rolled]
        if files:
            paths = ", ".join(_literal(str(snap.root / f)) for f in files)
            con.execute(f"CREATE VIEW {view} AS SELECT * FROM read_parquet([{paths}], hive_partitioning = false)")
        else:  # the same columns, no rows
            con.execute(f"CREATE TABLE {view} AS {sql('(SELECT * FROM call_segments LIMIT 0)')}")


def _sql_type(arrow_type: pa.DataType) -> str:
    """The DuckDB type of an Arrow type, as DuckDB itself maps it."""
    probe = duckdb.connect()
    probe.register("probe", pa.table({"x": pa.array([], arrow_type)}))
    return probe.execute("DESCRIBE probe").fetchall()[0][1]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ledger_table(con: duckdb.DuckDBPyConnection, snap: Snapshot) -> None:
    rows = sorted(((e.written_at, e.chain, e.seq, e.kind, e.count, e.hash) for es in snap.entries.values()
                   for e in es))
    table = pa.table({"written_at": [r[0] for r in rows], "chain": [r[1] for r in rows],
                      "seq": pa.array([r[2] for r in rows], pa.int64()), "kind": [r[3] for r in rows],
                      "row_count": pa.array([r[4] for r in rows], pa.int64()), "hash": [r[5] for r in rows]},
                     schema=pa.schema([("written_at", pa.string()), ("chain", pa.string()), ("seq", pa.int64()),
                                       ("kind", pa.string()), ("row_count", pa.int64()), ("hash", pa.string())]))
    con.register("ledger_rows", table)
    con.execute("CREATE TABLE ledger AS SELECT row_number() OVER (ORDER BY written_at, chain, seq) AS batch_id, "
                "written_at::TIMESTAMPTZ AS written_at, chain, seq, kind, row_count, hash FROM ledger_rows")
    con.unregister("ledger_rows")


_VIEWS = f"""
CREATE VIEW calls AS SELECT * EXCLUDE (findings, filename, file_row_number) REPLACE (event_id::UUID AS event_id)
    FROM call_segments;
CREATE VIEW findings AS
    SELECT event_id::UUID AS event_id, f.rule_id, f.severity, f.articles, f.title, f.explanation, f.remediation,
           tenant, observed_at
    FROM (SELECT event_id, tenant, observed_at, unnest(findings) AS f FROM call_segments);
{DESTINATION_VIEWS_SQL}
CREATE VIEW policies AS
    SELECT tenant, version, loaded_at, document::JSON AS document FROM policies_segments
    QUALIFY row_number() OVER (PARTITION BY tenant, version ORDER BY filename, file_row_number) = 1;
CREATE VIEW processing_activities AS
    SELECT * EXCLUDE (filename, file_row_number) FROM processing_activities_segments
    QUALIFY row_number() OVER (PARTITION BY tenant, policy_version, activity_id ORDER BY filename, file_row_number) = 1;
CREATE VIEW providers AS
    SELECT * EXCLUDE (filename, file_row_number) FROM providers_segments
    QUALIFY row_number() OVER (PARTITION BY provider, registry_version ORDER BY filename, file_row_number) = 1;
CREATE VIEW incident_versions AS
    -- every snapshot of every incident, oldest first; the newest wins, counts and last-seen never go back
    SELECT * EXCLUDE (filename, file_row_number),
           max(count) OVER w AS max_count, max(last_seen) OVER w AS max_last_seen, max(sent_count) OVER w AS max_sent,
           row_number() OVER (PARTITION BY incident_id ORDER BY filename DESC, file_row_number DESC) AS newest
    FROM incidents_segments WINDOW w AS (PARTITION BY incident_id);
CREATE VIEW incidents AS
    SELECT incident_id, kind, tenant, rule_id, provider, destination, severity, status, max_count AS count, opened_at,
           max_last_seen AS last_seen, acknowledged_by, acknowledged_at, early_warning_due, notification_due,
           final_report_due, document::JSON AS document
    FROM incident_versions WHERE newest = 1;
CREATE VIEW alert_state AS
    SELECT incident_id, channel, message_ts, max_sent AS sent_count, pending, 0 AS attempts,
           NULL::TIMESTAMPTZ AS next_attempt_at, NULL::VARCHAR AS last_error, updated_at
    FROM incident_versions WHERE newest = 1;
"""
