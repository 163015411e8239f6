"""Build the Article 30 record from the store: what was declared, beside what was observed."""

from __future__ import annotations

from datetime import date, datetime, timezone

import duckdb
import polars as pl

from reports import queries
from reports.common import bounds, categories_of, declared, jurisdictions, place_label, place_names, provider_name
from reports.models import ActivityRecord, Article30Report, Count, DestinationCount, Transfer
from reports.record import policy_on, standing_record
from rules.derogations import article, derogation_of
from rules.policy import Activity, Policy, Vendor
from rules.types import ANYWHERE

UNKNOWN_CODE = "unknown"
"""The transfer table's country-code column for a call whose provider names no place (``*`` in the store)."""


def build_article30(con: duckdb.DuckDBPyConnection, tenant: str, start: date, end: date,
                    as_of: date | None = None) -> Article30Report:
    """The record of ``tenant`` as it stands on ``as_of`` (today when omitted), with the calls observed over
    [start, end] (whole days, UTC) beside it as the annex; both read the policy in force on ``as_of``."""
    since, until = bounds(start, end)
    total = queries.require_calls(con, tenant, since, until)
    day = as_of or datetime.now(timezone.utc).date()
    policy, loaded_at = policy_on(con, tenant, day)  # one policy for the record and its annex
    flows = queries.observed_flows(con, tenant, since, until, jurisdictions())
    with_pd, special = queries.personal_data_calls(con, tenant, since, until)
    recipients = queries.observed_recipients(con, tenant, since, until)
    categories = queries.observed_categories(con, tenant, since, until)
    names = queries.provider_names(con)
    eea = jurisdictions().eea_codes
    activities = [_activity(a, policy, flows, recipients, categories, names, eea) for a in policy.activities]
    outside = int(recipients.filter(pl.col("activity_id") == "-")["calls"].sum() or 0)
    batches, head = queries.ledger_summary(con)
    return Article30Report(
        period_start=start, period_end=end, activities=activities, calls_total=total, calls_with_personal_data=with_pd,
        calls_special=special, calls_outside_activities=outside,
        destinations=[DestinationCount(destinations=place_label(r["destinations"]), decision=r["decision"],
                                       calls=r["calls"])
                      for r in queries.calls_by_destinations(con, tenant, since, until).iter_rows(named=True)],
        ledger_batches=batches, ledger_head=head,
        record=standing_record(tenant, policy, loaded_at, day))


def _activity(a: Activity, policy: Policy, flows: pl.DataFrame, recipients: pl.DataFrame, categories: pl.DataFrame,
              names: dict, eea: frozenset[str]) -> ActivityRecord:
    mine = flows.filter(pl.col("activity_id") == a.id)
    by_provider = recipients.filter(pl.col("activity_id") == a.id)
    recipients_seen = {r["provider"]: r["calls"] for r in by_provider.iter_rows(named=True)}
    third = {d for d in mine["destination"].to_list() if d not in eea}
    declared_dest = set(a.transfers)
    return ActivityRecord(
        **declared(a), **categories_of(a, categories),
        recipients_declared=[provider_name(p, names) for p in a.recipients],
        recipients_observed=[Count(name=provider_name(p, names), calls=n) for p, n in recipients_seen.items()],
        recipients_undeclared=sorted(provider_name(p, names) for p in set(recipients_seen) - set(a.recipients)),
        recipients_unseen=sorted(provider_name(p, names) for p in set(a.recipients) - set(recipients_seen)),
        transfers=[_transfer(r, a, policy, names, eea) for r in mine.iter_rows(named=True)],
        destinations_declared=place_names(declared_dest), destinations_undeclared=place_names(third - declared_dest),
        destinations_unseen=place_names(declared_dest - third), retention=a.retention,
        security_measures=a.security_measures, calls=sum(recipients_seen.values()),
        special_calls=int(by_provider["special_calls"].sum() or 0))


def _transfer(row: dict, activity: Activity, policy: Policy, names: dict, eea: frozenset[str]) -> Transfer:
    destination = row["destination"]
    return Transfer(
        provider=row["provider"], provider_name=provider_name(row["provider"], names),
        destination=UNKNOWN_CODE if destination == ANYWHERE else destination, third_country=destination not in eea,
        basis=row["basis"], decision=row["decision"], calls=row["calls"], special_calls=int(row["special_calls"]),
        first_seen=row["first_seen"], last_seen=row["last_seen"],
        safeguard=_safeguard(policy.vendors_by_provider.get(row["provider"]), row["basis"]),
        declared=destination in activity.transfers or destination in eea, notes=_notes(row, activity))


def _notes(row: dict, activity: Activity) -> list[str]:
    """What a DPO must look at in this row beyond its basis: a recipient the activity does not declare."""
    if row["provider"] in activity.recipients:
        return []
    if row["special_calls"]:
        n = int(row["special_calls"])
        return [f"Art. 9 data to a recipient the activity does not declare ({n} call{'s' if n > 1 else ''})"]
    return ["recipient not declared by the activity"]


def _safeguard(vendor: Vendor | None, basis: str) -> str:
    """The instrument on file that the basis rests on, in words."""
    if basis in ("eea", "not_a_transfer"):
        return "none needed"
    if basis == "adequacy":
        return "adequacy decision (Art. 45)"
    if vendor is None:
        return "none on file"
    parts = []
    if vendor.dpf:
        parts.append(f"DPF certification checked {vendor.dpf.verified_on}")
    if vendor.scc:
        parts.append(f"SCC Module {vendor.scc.module} signed {vendor.scc.signed}")
    if vendor.bcr:
        parts.append(f"BCR approved by {vendor.bcr.approved_by}")
    if vendor.tia:
        parts.append(f"TIA {vendor.tia.outcome.replace('_', ' ')}, review by {vendor.tia.review_by}")
    if (derogation := derogation_of(basis)) is not None:
        parts.append(f"Art. {article(derogation)} derogation")
    return "; ".join(parts) or "none on file"
