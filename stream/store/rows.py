"""Rows of the store built from an audited call, and the canonical form each record is hashed in.

The record hash is computed by DuckDB, with one SQL expression used both when the
sink writes and when ``douane ledger verify`` checks: the JSON array of the call's
typed columns followed by the JSON array of its findings ordered by rule. JSON keeps
the form unambiguous (no separator can be forged inside a value). The store holds no
prompt text, so neither does the hash input.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from douane.contract import AICallEvent, Verdict

CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "UUID"), ("observed_at", "TIMESTAMPTZ"), ("tenant", "VARCHAR"), ("tap_kind", "VARCHAR"),
    ("tap_name", "VARCHAR"), ("platform", "VARCHAR"), ("feature", "VARCHAR"), ("activity_id", "VARCHAR"),
    ("subject_country", "VARCHAR"), ("host", "VARCHAR"), ("path", "VARCHAR"), ("provider", "VARCHAR"),
    ("model", "VARCHAR"), ("locations", "VARCHAR[]"), ("entity_country", "VARCHAR"), ("categories", "VARCHAR[]"),
    ("category_counts", "INTEGER[]"), ("special", "BOOLEAN"), ("content_hash", "VARCHAR"), ("action", "VARCHAR"),
    ("status", "INTEGER"), ("latency_ms", "DOUBLE"), ("request_bytes", "BIGINT"), ("response_bytes", "BIGINT"),
    ("prompt_tokens", "BIGINT"), ("completion_tokens", "BIGINT"), ("error_class", "VARCHAR"), ("decision", "VARCHAR"),
    ("basis", "VARCHAR"), ("severity", "VARCHAR"), ("enforcement", "VARCHAR"), ("rules_version", "VARCHAR"),
)
"""Hashed columns of ``calls`` with their types, in hash order (``batch_id``, ``row_hash`` are not hashed)."""

FINDING_COLUMNS = ("rule_id", "severity", "articles", "title", "explanation", "remediation")


def call_canon_sql(alias: str) -> str:
    """SQL for the canonical JSON of a call row (columns cast to the table's types)."""
    return "json_array(" + ", ".join(f"{alias}.{name}::{kind}" for name, kind in CALL_COLUMNS) + ")"


def findings_canon_sql(table: str) -> str:
    """SQL selecting ``event_id`` and the canonical JSON of each event's findings from ``table``."""
    cols = ", ".join(FINDING_COLUMNS)
    return (f"SELECT event_id::VARCHAR AS event_id, to_json(list(json_array({cols}) ORDER BY rule_id)) AS fj "
            f"FROM {table} GROUP BY event_id")


def record_hash_sql(call_alias: str, findings_alias: str) -> str:
    """SQL for a record's hash: SHA-256 of the call's canonical JSON and its findings' (``[]`` when none)."""
    return f"sha256({call_canon_sql(call_alias)}::VARCHAR || coalesce({findings_alias}.fj::VARCHAR, '[]'))"


@dataclass(frozen=True)
class Audited:
    """One call after evaluation: the event, its verdict, and what the engine resolved."""

    event: AICallEvent
    verdict: Verdict
    activity_id: str | None
    provider: str | None
    locations: frozenset[str]
    entity_country: str | None


def call_row(item: Audited) -> dict[str, Any]:
    """The ``calls`` row of an audited call (without batch id and hash)."""
    e, v = item.event, item.verdict
    d, o, pd = e.destination, e.outcome, e.personal_data
    categories = sorted(pd.categories, key=lambda c: c.category)
    return {
        "event_id": str(e.event_id), "observed_at": e.observed_at, "tenant": e.tenant,
        "tap_kind": e.tap.kind.value, "tap_name": e.tap.name, "platform": e.app.platform, "feature": e.app.feature,
        "activity_id": item.activity_id, "subject_country": e.data_subject_country, "host": d.host, "path": d.path,
        "provider": item.provider, "model": d.model, "locations": sorted(item.locations),
        "entity_country": item.entity_country, "categories": [c.category for c in categories],
        "category_counts": [c.count for c in categories], "special": pd.special_category,
        "content_hash": pd.content_hash, "action": o.action.value, "status": o.status, "latency_ms": o.latency_ms,
        "request_bytes": o.request_bytes, "response_bytes": o.response_bytes, "prompt_tokens": o.prompt_tokens,
        "completion_tokens": o.completion_tokens, "error_class": o.error_class.value if o.error_class else None,
        "decision": v.decision.value, "basis": v.basis.value, "severity": v.severity.value,
        "enforcement": v.enforcement.value, "rules_version": v.rules_version,
    }


def finding_rows(item: Audited) -> list[dict[str, Any]]:
    """The ``findings`` rows of an audited call."""
    e = item.event
    event_id = str(e.event_id)
    return [
        {"event_id": event_id, "rule_id": f.rule_id, "severity": f.severity.value, "articles": list(f.articles),
         "title": f.title, "explanation": f.explanation, "remediation": f.remediation, "tenant": e.tenant,
         "observed_at": e.observed_at}
        for f in item.verdict.findings
    ]
