"""The store's single writer: batches of audited calls in, idempotently, with a ledger entry each."""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa

from rules.policy import Policy
from rules.registry import Registry
from stream.store.ledger import GENESIS, batch_digest, chain_hash
from stream.store.rows import (
    CALL_COLUMNS,
    FINDING_COLUMNS,
    Audited,
    call_columns,
    finding_sets,
    findings_canon_sql,
    record_hash_sql,
)
from stream.store.schema import open_store

logger = logging.getLogger(__name__)

_TS = pa.timestamp("us", tz="UTC")
_TEXTS = pa.list_(pa.string())
_CALLS_SCHEMA = pa.schema([
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
_FINDING_SETS_SCHEMA = pa.schema([
    ("fset", pa.int32()), ("rule_id", pa.string()), ("severity", pa.string()), ("articles", _TEXTS),
    ("title", pa.string()), ("explanation", pa.string()), ("remediation", pa.string()),
])


@dataclass(frozen=True)
class BatchResult:
    """What one write did: the batch id (None when nothing was new), rows written, duplicates skipped."""

    batch_id: int | None
    written: int
    duplicates: int


class StoreWriter:
    """Writes audited calls to DuckDB in batches. Redelivered events are skipped, never duplicated."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.con = open_store(self.path)
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
        with self._lock:
            return self._write(items)

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self.con.close()

    def _write(self, items: list[Audited]) -> BatchResult:
        first = {str(i.event.event_id): i for i in reversed(items)}  # a batch may hold a redelivery too
        event_ids, unique = list(first)[::-1], list(first.values())[::-1]
        batch_id = self._last_batch + 1
        calls = call_columns(unique, event_ids)
        calls["fset"], findings = finding_sets(unique)
        written = self._commit(batch_id, calls, findings)
        if not written:
            return BatchResult(None, 0, len(items))
        return BatchResult(batch_id, written, len(items) - written)

    def _commit(self, batch_id: int, calls: dict[str, list], findings: dict[str, list]) -> int:
        """Insert new calls (hash computed by DuckDB), their findings and the ledger entry; rows written."""
        con = self.con
        con.register("batch_calls", _frame(calls, _CALLS_SCHEMA))
        con.register("batch_findings", _frame(findings, _FINDING_SETS_SCHEMA))
        try:
            con.execute("BEGIN TRANSACTION")
            new = sorted(con.execute(_INSERT_CALLS, [batch_id]).fetchall())
            if not new:
                con.execute("ROLLBACK")
                return 0
            con.execute(_INSERT_FINDINGS, [batch_id, [e for e, _ in new]])
            event_ids, hashes = [e for e, _ in new], [h for _, h in new]
            digest = batch_digest(event_ids, hashes)
            entry_hash = chain_hash(self._head, batch_id, len(new), digest)
            con.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, datetime.now(timezone.utc), len(new), event_ids, hashes, digest, self._head,
                         entry_hash])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("batch_calls")
            con.unregister("batch_findings")
        self._last_batch, self._head = batch_id, entry_hash
        self.total += len(new)
        return len(new)

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


def _frame(columns: dict[str, list], schema: pa.Schema) -> pa.Table:
    """A typed Arrow table from Python columns (the conversion runs in C++)."""
    return pa.table([pa.array(columns[f.name], type=f.type) for f in schema], schema=schema)


_INSERT_CALLS = f"""
    WITH f AS ({findings_canon_sql("batch_findings", key="fset")})
    INSERT INTO calls
    SELECT {", ".join(f"b.{name}::{kind} AS {name}" for name, kind in CALL_COLUMNS)}, ? AS batch_id,
           {record_hash_sql("b", "f")} AS row_hash
    FROM batch_calls b LEFT JOIN f ON f.fset = b.fset::VARCHAR
    ON CONFLICT DO NOTHING
    RETURNING event_id::VARCHAR, row_hash
"""

_INSERT_FINDINGS = f"""
    INSERT INTO findings
    SELECT b.event_id::UUID, {", ".join(f"s.{name}" for name in FINDING_COLUMNS)}, b.tenant, b.observed_at, $1
    FROM batch_calls b JOIN batch_findings s ON s.fset = b.fset
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
