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
from stream.store.rows import Audited, call_row, finding_rows, record_hash
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
    ("enforcement", pa.string()), ("rules_version", pa.string()), ("batch_id", pa.int64()), ("row_hash", pa.string()),
])
_FINDINGS_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("rule_id", pa.string()), ("severity", pa.string()), ("articles", _TEXTS),
    ("title", pa.string()), ("explanation", pa.string()), ("remediation", pa.string()), ("tenant", pa.string()),
    ("observed_at", _TS), ("batch_id", pa.int64()),
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
        """Write the calls not yet in the store, their findings, transfers and a ledger entry, atomically."""
        with self._lock:
            return self._write(items)

    def _write(self, items: list[Audited]) -> BatchResult:
        unique = list({str(i.event.event_id): i for i in reversed(items)}.values())[::-1]
        new = self._not_stored(unique)
        if not new:
            return BatchResult(None, 0, len(items))
        batch_id = self._last_batch + 1
        calls, findings, hashes = self._rows(new, batch_id)
        digest = batch_digest([r["event_id"] for r in calls], hashes)
        entry_hash = chain_hash(self._head, batch_id, len(calls), digest)
        self._commit(batch_id, calls, findings, hashes, digest, entry_hash)
        self._last_batch, self._head = batch_id, entry_hash
        self.total += len(calls)
        return BatchResult(batch_id, len(calls), len(items) - len(calls))

    def close(self) -> None:
        """Close the database file."""
        self.con.close()

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

    def _not_stored(self, items: list[Audited]) -> list[Audited]:
        ids = pa.table({"event_id": pa.array([str(i.event.event_id) for i in items], type=pa.string())})
        self.con.register("incoming_ids", ids)
        try:
            stored = {r[0] for r in self.con.execute(
                "SELECT i.event_id FROM incoming_ids i JOIN calls c ON c.event_id = i.event_id::UUID").fetchall()}
        finally:
            self.con.unregister("incoming_ids")
        return [i for i in items if str(i.event.event_id) not in stored]

    @staticmethod
    def _rows(items: list[Audited], batch_id: int) -> tuple[list[dict], list[dict], list[str]]:
        calls, findings, hashes = [], [], []
        for item in items:
            call, found = call_row(item), finding_rows(item)
            row_hash = record_hash(call, found)
            call.update(event_id=str(call["event_id"]), batch_id=batch_id, row_hash=row_hash)
            for f in found:
                f.update(event_id=call["event_id"], batch_id=batch_id)
            calls.append(call)
            findings.extend(found)
            hashes.append(row_hash)
        return calls, findings, hashes

    def _commit(self, batch_id: int, calls: list[dict], findings: list[dict], hashes: list[str], digest: str,
                entry_hash: str) -> None:
        calls_df = _frame(calls, _CALLS_SCHEMA)
        findings_df = _frame(findings, _FINDINGS_SCHEMA)
        con = self.con
        con.register("batch_calls", calls_df)
        con.register("batch_findings", findings_df)
        try:
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO calls SELECT * REPLACE (event_id::UUID AS event_id) FROM batch_calls")
            con.execute("INSERT INTO findings SELECT * REPLACE (event_id::UUID AS event_id) FROM batch_findings")
            con.execute(_UPSERT_TRANSFERS)
            con.execute("INSERT INTO ledger VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [batch_id, datetime.now(timezone.utc), len(calls), [c["event_id"] for c in calls], hashes,
                         digest, self._head, entry_hash])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        finally:
            con.unregister("batch_calls")
            con.unregister("batch_findings")


def _frame(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """A typed Arrow table built column by column (the conversion runs in C++)."""
    return pa.table({f.name: pa.array([r[f.name] for r in rows], type=f.type) for f in schema}, schema=schema)


_UPSERT_TRANSFERS = """
    INSERT INTO transfers
    SELECT tenant, coalesce(activity_id, '-') AS activity_id, coalesce(provider, 'host:' || host) AS provider,
           destination, basis, decision, count(*) AS calls, min(observed_at) AS first_seen,
           max(observed_at) AS last_seen
    FROM (
        SELECT *, unnest(list_distinct(list_concat(locations, list_filter([entity_country], lambda x: x IS NOT NULL))))
               AS destination
        FROM batch_calls
        WHERE len(categories) > 0 OR special
    )
    GROUP BY ALL
    ON CONFLICT DO UPDATE SET
        calls = transfers.calls + excluded.calls,
        first_seen = least(transfers.first_seen, excluded.first_seen),
        last_seen = greatest(transfers.last_seen, excluded.last_seen)
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
