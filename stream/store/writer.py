"""The store's single writer: batches of audited calls in, idempotently, with a ledger entry each."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from rules.policy import Policy
from rules.registry import Registry
from stream.store.ledger import GENESIS, batch_digest, batch_records, chain_hash
from stream.store.rows import (
    CALL_COLUMNS,
    FINDING_COLUMNS,
    FINDING_TEXT_ID_SQL,
    Audited,
    findings_canon_sql,
    record_hash_sql,
)
from stream.store.batch import StoreBatch
from stream.store.schema import open_store

logger = logging.getLogger(__name__)

@dataclass(frozen=True)
class BatchResult:
    """What one write did: the batch id (None when nothing was new), rows written, duplicates skipped."""

    batch_id: int | None
    written: int
    duplicates: int


class StoreWriter:
    """Writes audited calls to DuckDB in batches. Redelivered events are skipped, never duplicated."""

    def __init__(self, path: Path | str, checkpoint_mb: int = 256) -> None:
        self.path = Path(path)
        self.con = open_store(self.path)
        # DuckDB rewrites a table's whole key index at every checkpoint, and checkpoints each 16 MB of log by
        # default: on a store of millions of calls that would cost more than the writes. The log is replayed
        # on the next open after a crash (about a second per 100 MB).
        self.con.execute(f"SET checkpoint_threshold = '{int(checkpoint_mb)}MB'")
        rows = self.con.execute("SELECT batch_id, hash FROM ledger ORDER BY batch_id DESC LIMIT 1").fetchall()
        self._last_batch, self._head = rows[0] if rows else (0, GENESIS)
        self.total = self.con.execute("SELECT count(*) FROM calls").fetchall()[0][0]
        self._lock = threading.Lock()  # one connection, used from the stage's worker threads

    @property
    def head(self) -> str:
        """Hash of the newest ledger entry."""
        return self._head

    def write(self, items: list[Audited]) -> BatchResult:
        """Write the calls not yet in the store, their findings and a ledger entry, in one transaction."""
        return self.write_batch(StoreBatch.of(items))

    def write_batch(self, batch: StoreBatch) -> BatchResult:
        """Write a batch built beforehand (see :class:`StoreBatch`); the same as :meth:`write`."""
        with self._lock:
            batch_id = self._last_batch + 1
            written = self._commit(batch_id, batch) if batch.calls.num_rows else 0
        if not written:
            return BatchResult(None, 0, batch.received)
        return BatchResult(batch_id, written, batch.received - written)

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self.con.close()

    def _commit(self, batch_id: int, batch: StoreBatch) -> int:
        """Insert new calls (hash computed by DuckDB), their findings and the ledger entry; rows written.

        A plain insert is checked against the primary key's index. ``ON CONFLICT`` would scan
        the whole table instead, so it is used only when the plain insert meets a call the
        store already has (a redelivery): that transaction is undone and the batch written again.
        """
        con = self.con
        con.register("batch_calls", batch.calls)
        con.register("batch_findings", batch.finding_sets)
        try:
            try:
                new, entry_hash = self._transaction(batch_id, _INSERT_CALLS)
            except duckdb.ConstraintException:
                new, entry_hash = self._transaction(batch_id, _INSERT_CALLS + _SKIPPING_KNOWN)
        finally:
            con.unregister("batch_calls")
            con.unregister("batch_findings")
        if new:
            self._last_batch, self._head = batch_id, entry_hash
            self.total += len(new)
        return len(new)

    def _transaction(self, batch_id: int, insert_calls: str) -> tuple[list, str | None]:
        """One batch in one transaction: (new event id, hash) pairs and the ledger entry's hash."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            new = sorted(con.execute(insert_calls + _RETURNING, [batch_id]).fetchall())
            if not new:
                con.execute("ROLLBACK")
                return [], None
            event_ids = [e for e, _ in new]
            con.execute(_BATCH_TEXTS)
            con.execute(_INSERT_NEW_TEXTS)
            con.execute(_INSERT_FINDING_ROWS, [batch_id, event_ids])
            records = batch_records(event_ids, [h for _, h in new])
            digest = batch_digest(records)
            entry_hash = chain_hash(self._head, batch_id, len(new), digest)
            con.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, datetime.now(timezone.utc), len(new), records, digest, self._head, entry_hash])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        return new, entry_hash

    def record_policies(self, tenants: list[tuple[str, Policy]]) -> None:
        """Keep each tenant's policy and its processing activities (declared side of Art. 30)."""
        now = datetime.now(timezone.utc)
        for tenant, policy in tenants:
            self.con.execute("INSERT INTO policies VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             [tenant, policy.version, now, policy.model_dump_json()])
            for a in policy.activities:
                self.con.execute(
                    "INSERT INTO processing_activities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING",
                    [tenant, policy.version, a.id, a.name, a.purpose, a.legal_basis.value,
                     a.special_category_basis.value if a.special_category_basis else None, list(a.data_subjects),
                     list(a.categories), a.retention, list(a.recipients), list(a.transfers),
                     [d.value for d in a.derogations], a.security_measures])

    def record_incident(self, state: dict) -> None:
        """Keep the latest state of an incident and of its Slack alert (newer versions win)."""
        clocks = state.get("clocks") or {}
        with self._lock:
            self.con.execute(_UPSERT_INCIDENT, [
                state["id"], state["kind"], state["tenant"], state["rule_id"], state["provider"], state["destination"],
                state["severity"], state["status"], state["count"], state["first_seen"], state["last_seen"],
                state.get("ack_by"), state.get("ack_at"), clocks.get("early_warning"), clocks.get("notification"),
                clocks.get("final_report"), json.dumps(state)])
            self.con.execute(_UPSERT_ALERT, [
                state["id"], state.get("channel") or "", state.get("ts"), state["delivered_version"],
                state["delivered_version"] < state["version"], 0, None, None, datetime.now(timezone.utc)])

    def record_registry(self, registry: Registry) -> None:
        """Keep the registry's providers, so reports can name recipients as they were known."""
        for p in registry.providers:
            self.con.execute("INSERT INTO providers VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                             [p.id, registry.version, p.name, p.entity.name, p.entity.country, p.region_rule,
                              p.source, p.checked])


_INSERT_CALLS = f"""
    WITH f AS ({findings_canon_sql("batch_findings", key="fset")})
    INSERT INTO calls
    SELECT {", ".join(f"b.{name}::{kind} AS {name}" for name, kind in CALL_COLUMNS)}, ? AS batch_id,
           {record_hash_sql("b", "f")} AS row_hash
    FROM batch_calls b LEFT JOIN f ON f.fset = b.fset::VARCHAR
"""
_SKIPPING_KNOWN = " ON CONFLICT DO NOTHING"
_RETURNING = " RETURNING event_id::VARCHAR, row_hash"

# The findings of the new calls: texts not yet kept are added once, then one row per call and finding.
_BATCH_TEXTS = (f"CREATE OR REPLACE TEMP TABLE batch_texts AS "
                f"SELECT *, {FINDING_TEXT_ID_SQL} AS text_id FROM batch_findings")
_INSERT_NEW_TEXTS = f"""
    INSERT INTO finding_texts
    SELECT DISTINCT ON (text_id) text_id, {", ".join(FINDING_COLUMNS)} FROM batch_texts
    WHERE text_id NOT IN (SELECT text_id FROM finding_texts)
"""
_INSERT_FINDING_ROWS = """
    INSERT INTO finding_rows
    SELECT b.event_id::UUID, t.text_id, b.tenant, b.observed_at, $1
    FROM batch_calls b JOIN batch_texts t ON t.fset = b.fset
    SEMI JOIN (SELECT unnest($2::VARCHAR[]) AS event_id) n ON b.event_id = n.event_id
"""


_UPSERT_INCIDENT = """
    INSERT INTO incidents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (incident_id) DO UPDATE SET
        severity = excluded.severity, status = excluded.status, count = greatest(incidents.count, excluded.count),
        last_seen = greatest(incidents.last_seen, excluded.last_seen), acknowledged_by = excluded.acknowledged_by,
        acknowledged_at = excluded.acknowledged_at, document = excluded.document
"""

_UPSERT_ALERT = """
    INSERT INTO alert_state VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (incident_id) DO UPDATE SET
        channel = excluded.channel, message_ts = excluded.message_ts,
        sent_count = greatest(alert_state.sent_count, excluded.sent_count), pending = excluded.pending,
        updated_at = excluded.updated_at
"""
