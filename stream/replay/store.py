"""Everything replay reads from the DuckDB store, in one module (SQL over ``calls``, ``findings``, ``incidents``).

The store is opened read-only. Calls are rebuilt as events from their stored columns, with the
region hints, scan state and consent reference the rules read (NULL in calls migrated from the
single-file store, which did not keep them); the gateway's in-line verdict is not kept.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from douane.contract import AICallEvent, Severity
from stream.replay.judge import FLAG_RANK, Judgement
from stream.replay.window import ReplayError, Window

_CALLS = """
    SELECT event_id, observed_at, tenant, tap_kind, tap_name, platform, feature, subject_country, host, path,
           provider, model, entity_country, categories, category_counts, special, content_hash, action, status,
           latency_ms, request_bytes, response_bytes, prompt_tokens, completion_tokens, error_class,
           decision, basis, enforcement, scan, consent_ref, region_hints
    FROM calls WHERE observed_at >= $start AND observed_at < $end AND ($tenant IS NULL OR tenant = $tenant)
    ORDER BY observed_at, event_id
"""
_FLAGGED = """
    SELECT event_id::VARCHAR, list(rule_id ORDER BY rule_id) FROM findings
    WHERE observed_at >= $start AND observed_at < $end AND ($tenant IS NULL OR tenant = $tenant)
      AND list_contains($flagging, severity)
    GROUP BY event_id
"""
_INCIDENTS = """
    SELECT i.incident_id, i.kind, i.tenant, i.rule_id, i.provider, i.severity, i.status, i.count,
           i.opened_at, i.last_seen, a.channel, a.sent_count
    FROM incidents i LEFT JOIN alert_state a USING (incident_id)
    WHERE i.opened_at < $end AND i.last_seen >= $start AND ($tenant IS NULL OR i.tenant = $tenant)
    ORDER BY i.opened_at, i.incident_id
"""


class StoreReader:
    """Read-only access to one store file for a window."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    def _connect(self) -> duckdb.DuckDBPyConnection:
        from stream.store import StoreError, open_store

        try:
            return open_store(self.path, read_only=True)
        except StoreError as exc:
            raise ReplayError(str(exc)) from None

    def events_and_verdicts(self, window: Window) -> tuple[list[AICallEvent], dict[str, Judgement]]:
        """The window's calls as events, and the verdict recorded for each (by event id)."""
        con = self._connect()
        try:
            params = _params(window)
            rows = con.execute(_CALLS, params).fetchall()
            names = [d[0] for d in con.description]
            flagged = dict(con.execute(_FLAGGED, {**params, "flagging": _flagging()}).fetchall())
        finally:
            con.close()
        events, recorded = [], {}
        for row in rows:
            values = dict(zip(names, row))
            event = _event(values)
            events.append(event)
            recorded[str(event.event_id)] = Judgement(values["decision"], values["basis"], values["enforcement"],
                                                      frozenset(flagged.get(str(event.event_id), ())))
        return events, recorded

    def verdicts(self, window: Window) -> dict[str, Judgement]:
        """Only the recorded verdicts of the window's calls."""
        return self.events_and_verdicts(window)[1]

    def incidents(self, window: Window) -> list[dict]:
        """Incidents whose life overlaps the window, with where their alert went."""
        con = self._connect()
        try:
            cursor = con.execute(_INCIDENTS, _params(window))
            names = [d[0] for d in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
        finally:
            con.close()

    def span(self) -> tuple[object, object]:
        """The first and last event time the store holds."""
        con = self._connect()
        try:
            return con.execute("SELECT min(observed_at), max(observed_at) FROM calls").fetchall()[0]
        finally:
            con.close()


def _params(window: Window) -> dict:
    return {"start": window.start, "end": window.end, "tenant": window.tenant}


def _flagging() -> list[str]:
    return [s.value for s in Severity if s.rank >= FLAG_RANK]


def _event(v: dict) -> AICallEvent:
    """An event rebuilt from a ``calls`` row (its resolved provider stands in for the declared one)."""
    return AICallEvent.model_validate({
        "event_id": v["event_id"], "observed_at": v["observed_at"], "tenant": v["tenant"],
        "tap": {"kind": v["tap_kind"], "name": v["tap_name"]},
        "app": {"platform": v["platform"], "feature": v["feature"]}, "data_subject_country": v["subject_country"],
        "destination": {"host": v["host"], "path": v["path"], "provider": v["provider"], "model": v["model"],
                        "entity_country": v["entity_country"], "region_hints": v["region_hints"] or []},
        "personal_data": {"categories": [{"category": c, "count": n}
                                         for c, n in zip(v["categories"], v["category_counts"])],
                          "special_category": v["special"], "content_hash": v["content_hash"],
                          "scan": v["scan"] or "complete"},
        "consent_ref": v["consent_ref"],
        "outcome": {k: v[k] for k in ("action", "status", "latency_ms", "request_bytes", "response_bytes",
                                      "prompt_tokens", "completion_tokens", "error_class")},
    })


def recorded_policies(path: Path) -> list:
    """The newest policy the sink recorded for each tenant (today's rules as the store knows them)."""
    from rules.policy import Policy

    con = StoreReader(path)._connect()
    try:
        rows = con.execute("SELECT DISTINCT ON (tenant) tenant, document FROM policies "
                           "ORDER BY tenant, loaded_at DESC").fetchall()
    finally:
        con.close()
    unique: dict[str, Policy] = {}
    for _, document in rows:
        unique.setdefault(document, Policy.model_validate_json(document))
    return list(unique.values())
