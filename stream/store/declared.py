"""The declared side of Article 30 as evidence: policies, activities, providers, incident snapshots.

Each is a row of a typed Arrow table, written as a segment with a ledger entry like the calls.
Incident snapshots are kept whole (every version, with whatever keys the stream adds, such as
the transitions of an incident's life): readers see the newest version of each incident.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pyarrow as pa

from rules.policy import Policy
from rules.registry import Registry

_TS = pa.timestamp("us", tz="UTC")
_TEXTS = pa.list_(pa.string())

SCHEMAS: dict[str, pa.Schema] = {
    "policies": pa.schema([("tenant", pa.string()), ("version", pa.string()), ("loaded_at", _TS),
                           ("document", pa.string())]),
    "processing_activities": pa.schema([
        ("tenant", pa.string()), ("policy_version", pa.string()), ("activity_id", pa.string()), ("name", pa.string()),
        ("purpose", pa.string()), ("legal_basis", pa.string()), ("special_category_basis", pa.string()),
        ("data_subjects", _TEXTS), ("categories", _TEXTS), ("retention", pa.string()), ("recipients", _TEXTS),
        ("transfers", _TEXTS), ("derogations", _TEXTS), ("security_measures", pa.string())]),
    "providers": pa.schema([
        ("provider", pa.string()), ("registry_version", pa.string()), ("name", pa.string()),
        ("entity_name", pa.string()), ("entity_country", pa.string()), ("region_rule", pa.string()),
        ("source", pa.string()), ("checked", pa.date32())]),
    "incidents": pa.schema([
        ("incident_id", pa.string()), ("kind", pa.string()), ("tenant", pa.string()), ("rule_id", pa.string()),
        ("provider", pa.string()), ("destination", pa.string()), ("severity", pa.string()), ("status", pa.string()),
        ("count", pa.int64()), ("opened_at", _TS), ("last_seen", _TS), ("acknowledged_by", pa.string()),
        ("acknowledged_at", _TS), ("early_warning_due", _TS), ("notification_due", _TS), ("final_report_due", _TS),
        ("channel", pa.string()), ("message_ts", pa.string()), ("sent_count", pa.int64()), ("pending", pa.bool_()),
        ("updated_at", _TS), ("document", pa.string())]),
}
KEYS: dict[str, tuple[str, ...]] = {
    "policies": ("tenant", "version"), "processing_activities": ("tenant", "policy_version", "activity_id"),
    "providers": ("provider", "registry_version"), "incidents": ("incident_id",),
}
"""Each table's key: a record's name in the ledger."""


def policy_rows(tenants: list[tuple[str, Policy]]) -> tuple[list[dict], list[dict]]:
    """Rows of ``policies`` and ``processing_activities`` for each tenant's policy."""
    now = datetime.now(timezone.utc)
    policies, activities = [], []
    for tenant, policy in tenants:
        policies.append({"tenant": tenant, "version": policy.version, "loaded_at": now,
                         "document": policy.model_dump_json()})
        activities += [{
            "tenant": tenant, "policy_version": policy.version, "activity_id": a.id, "name": a.name,
            "purpose": a.purpose, "legal_basis": a.legal_basis.value,
            "special_category_basis": a.special_category_basis.value if a.special_category_basis else None,
            "data_subjects": list(a.data_subjects), "categories": list(a.categories), "retention": a.retention,
            "recipients": list(a.recipients), "transfers": list(a.transfers),
            "derogations": [d.value for d in a.derogations], "security_measures": a.security_measures,
        } for a in policy.activities]
    return policies, activities


def provider_rows(registry: Registry) -> list[dict]:
    """Rows of ``providers``: the registry as known when the sink started."""
    return [{"provider": p.id, "registry_version": registry.version, "name": p.name, "entity_name": p.entity.name,
             "entity_country": p.entity.country, "region_rule": p.region_rule, "source": p.source,
             "checked": p.checked if isinstance(p.checked, date) else date.fromisoformat(str(p.checked))}
            for p in registry.providers]


def incident_row(state: dict) -> dict:
    """The row of one incident snapshot (unknown keys stay in ``document``)."""
    clocks = state.get("clocks") or {}
    return {
        "incident_id": state["id"], "kind": state["kind"], "tenant": state["tenant"], "rule_id": state["rule_id"],
        "provider": state["provider"], "destination": state["destination"], "severity": state["severity"],
        "status": state["status"], "count": state["count"], "opened_at": _moment(state["first_seen"]),
        "last_seen": _moment(state["last_seen"]), "acknowledged_by": state.get("ack_by"),
        "acknowledged_at": _moment(state.get("ack_at")), "early_warning_due": _moment(clocks.get("early_warning")),
        "notification_due": _moment(clocks.get("notification")),
        "final_report_due": _moment(clocks.get("final_report")), "channel": state.get("channel") or "",
        "message_ts": state.get("ts"), "sent_count": state["delivered_version"],
        "pending": state["delivered_version"] < state["version"], "updated_at": datetime.now(timezone.utc),
        "document": json.dumps(state, sort_keys=True),
    }


def table_of(name: str, rows: list[dict]) -> pa.Table:
    """The typed table of ``rows``."""
    return pa.Table.from_pylist(rows, schema=SCHEMAS[name])


def key_of(name: str, row: dict) -> str:
    """A row's key in the ledger."""
    return "/".join(str(row[k]) for k in KEYS[name])


def _moment(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
