"""Retention from the policy: each tenant's calls removed once their categories' periods are over.

A tenant's recorded policy (the newest the store holds) may say how long the evidence of its
calls is kept, by default and per personal-data category (``evidence_retention``). A day
partition whose every call is past its period is removed whole; in a partition only partly past
it, the segments are rewritten without the expired calls. Each is a signed tombstone naming the
policy version, so ``douane ledger verify`` reports the deletion as lawful.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pyarrow.parquet as pq

from rules.policy import EvidenceRetention, Policy
from stream.store.layout import tenant_days
from stream.store.retention import Deletion, remove_whole, rewrite_without
from stream.store.writer import StoreWriter


@dataclass
class Expired:
    """What retention removed (or would) for one tenant: whole partitions and calls from partly expired ones."""

    tenant: str
    policy_version: str
    whole: Deletion = field(default_factory=Deletion)
    partial: Deletion = field(default_factory=Deletion)

    @property
    def records(self) -> int:
        return self.whole.records + self.partial.records


def recorded_policies(writer: StoreWriter) -> dict[str, Policy]:
    """The newest policy the store holds for each tenant."""
    from stream.store.reader import connect

    con = connect(writer.snapshot())
    try:
        rows = con.execute("SELECT tenant, document::VARCHAR FROM policies "
                           "QUALIFY row_number() OVER (PARTITION BY tenant ORDER BY loaded_at DESC) = 1").fetchall()
    finally:
        con.close()
    return {tenant: Policy.model_validate_json(document) for tenant, document in rows}


def expire(writer: StoreWriter, today: date, *, by: str, tenants: list[str] | None = None,
           policies: dict[str, Policy] | None = None, dry_run: bool = False) -> list[Expired]:
    """Apply each tenant's ``evidence_retention`` (tenants without one are left alone)."""
    policies = recorded_policies(writer) if policies is None else policies
    done = []
    for tenant, policy in sorted(policies.items()):
        if policy.evidence_retention is None or (tenants and tenant not in tenants):
            continue
        done.append(_expire_tenant(writer, tenant, policy, today, by, dry_run))
    return done


def _expire_tenant(writer: StoreWriter, tenant: str, policy: Policy, today: date, by: str,
                   dry_run: bool) -> Expired:
    rule: EvidenceRetention = policy.evidence_retention
    periods = [rule.days, *rule.categories.values()]
    prefix = tenant_days(tenant)
    whole, partial = [], []
    for relative in writer.snapshot().live_files(prefix):
        age = (today - date.fromisoformat(relative[len(prefix):].split("/")[0])).days
        if age > max(periods):
            whole.append(relative)
        elif age > min(periods):
            partial.append((relative, age))
    why = {"reason": "retention", "basis": f"policy {policy.version}: evidence_retention", "by": by, "tenant": tenant,
           "as_of": today.isoformat()}
    expired = Expired(tenant, policy.version)
    expired.whole = remove_whole(writer, whole, why, dry_run=dry_run)
    ids = set()
    for relative, age in partial:
        table = pq.read_table(writer.root / relative, columns=["event_id", "categories"])
        ids |= {e for e, cats in zip(table.column("event_id").to_pylist(), table.column("categories").to_pylist())
                if age > rule.days_for(cats)}
    if ids:
        expired.partial = rewrite_without(writer, ids, why, dry_run=dry_run, files=[r for r, _ in partial])
    return expired
