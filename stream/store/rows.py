"""Rows of the store built from an audited call, and the canonical hash of each record.

The hash covers the call row and its findings, in a canonical form that is the same
whether computed from Python values at write time or from what DuckDB returns at
verification time. It never includes prompt text: the store holds none.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from douane.contract import AICallEvent, Verdict

CALL_COLUMNS = (
    "event_id", "observed_at", "tenant", "tap_kind", "tap_name", "platform", "feature", "activity_id",
    "subject_country", "host", "path", "provider", "model", "locations", "entity_country", "categories",
    "category_counts", "special", "content_hash", "action", "status", "latency_ms", "request_bytes",
    "response_bytes", "prompt_tokens", "completion_tokens", "error_class", "decision", "basis", "severity",
    "enforcement", "rules_version",
)
"""Hashed columns of ``calls``, in hash order (``batch_id`` and ``row_hash`` are not hashed)."""

FINDING_COLUMNS = ("rule_id", "severity", "articles", "title", "explanation", "remediation")


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
        "event_id": e.event_id, "observed_at": e.observed_at, "tenant": e.tenant,
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
    return [
        {"event_id": e.event_id, "rule_id": f.rule_id, "severity": f.severity.value, "articles": list(f.articles),
         "title": f.title, "explanation": f.explanation, "remediation": f.remediation, "tenant": e.tenant,
         "observed_at": e.observed_at}
        for f in item.verdict.findings
    ]


def record_hash(call: dict[str, Any], findings: list[dict[str, Any]]) -> str:
    """SHA-256 of the canonical form of a call row and its findings.

    JSON with compact separators; floats in their shortest round-trip form (json's own),
    UUIDs as text, timestamps as UTC ISO-8601 with microseconds, lists as lists.
    """
    body = [call[c] for c in CALL_COLUMNS]
    body.append(sorted([[f[c] for c in FINDING_COLUMNS] for f in findings], key=_finding_key))
    text = json.dumps(body, separators=(",", ":"), ensure_ascii=False, default=_canon)
    return hashlib.sha256(text.encode()).hexdigest()


def _finding_key(finding: list) -> tuple:
    return finding[0], finding[1], finding[4]


def _canon(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
    raise TypeError(f"no canonical form for {type(value).__name__}")
