"""Build the DPIA (GDPR Art. 35) from the store: the processing as observed, the WP248 criteria with
their evidence, a risk register from the findings, the measures in place and the residual risk."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

import duckdb
import polars as pl

from reports import bins, evidence, queries
from reports.common import RISK_LEVELS, bounds, categories_of, declared, party, place_label, provider_name, risk_level
from reports.feared import feared_events, prior_consultation
from reports.models import Count, Criterion, DpiaActivity, DpiaReport, Flow, Measure, Risk, TimeCount
from reports.proportionality import action_plan, necessity
from reports.record import record_rows
from rules.policy import Policy

LARGE_SCALE_CALLS = 10_000
"""Calls with personal data in the period from which processing counts as large-scale (criterion 5).
WP248 names no number; this is a conservative default, stated in the report beside the evidence."""

def build_dpia(con: duckdb.DuckDBPyConnection, tenant: str, start: date, end: date) -> DpiaReport:
    """The DPIA for ``tenant`` over [start, end] (whole days, UTC)."""
    since, until = bounds(start, end)
    total = queries.require_calls(con, tenant, since, until)
    policy = queries.policy_of(con, tenant)
    names = queries.provider_names(con)
    facts = evidence.criteria_facts(con, tenant, since, until)
    risks = [_risk(r, total) for r in evidence.findings_by_rule(con, tenant, since, until).iter_rows(named=True)]
    criteria = _criteria(facts, policy)
    batches, head = queries.ledger_summary(con)
    activities = _activities(con, tenant, since, until, policy, names)
    events = feared_events(evidence.feared_facts(con, tenant, since, until))
    recipients = record_rows(policy, end)
    principles = necessity(policy, activities, recipients, facts["scoring"] + facts["checkout"])
    owner = policy.controller.dpo.name if policy.controller.dpo else "the controller"
    return DpiaReport(
        tenant=tenant, controller=party(policy.controller),
        dpo=party(policy.controller.dpo) if policy.controller.dpo else None, period_start=start, period_end=end,
        policy_version=policy.version, calls_total=total,
        activities=activities, criteria=criteria,
        criteria_met=sum(c.met for c in criteria), dpia_required=sum(c.met for c in criteria) >= 2,
        risks=risks, measures=_measures(facts, policy, batches, names),
        residual_level=_worst(e.residual_level for e in events), planned_level=_worst(e.planned_level for e in events),
        prior_consultation=prior_consultation(events),
        flows=[Flow(feature=r["feature"], provider=provider_name(r["provider"], names),
                    destination=place_label(r["destination"]), calls=r["calls"], finding=r["finding"])
               for r in evidence.flows(con, tenant, since, until).iter_rows(named=True)],
        **_over_time(evidence.findings_over_time(con, tenant, since, until)),
        ledger_head=head, feared_events=events, necessity=principles, recipients=recipients,
        actions=action_plan(principles, events, policy.dpia, owner, end), dpo_advice=policy.dpia.dpo_advice,
        subjects_views=policy.dpia.data_subjects_views)


def _over_time(rows: pl.DataFrame) -> dict:
    """The findings summed into the bins that suit their span: minutes for an hour, hours for a day, days for a
    month (``reports.bins``)."""
    if rows.is_empty():
        return dict(findings_over_time=[], findings_bin_minutes=int(bins.DAY / bins.MINUTE))
    width = bins.bin_for(rows["start"].min(), rows["start"].max())
    summed: dict[tuple, int] = defaultdict(int)
    for r in rows.iter_rows(named=True):
        summed[(width.floor(r["start"]), r["severity"])] += r["findings"]
    return dict(findings_over_time=[TimeCount(start=at, severity=sev, findings=n)
                                    for (at, sev), n in sorted(summed.items())],
                findings_bin_minutes=int(width.width / bins.MINUTE))


def _worst(levels) -> str:
    """The highest of these risk levels."""
    order = ["none", *(name for _, name in RISK_LEVELS)]
    return max(levels, key=order.index, default="none")


def _activities(con, tenant, since, until, policy: Policy, names: dict) -> list[DpiaActivity]:
    summary = {r["activity_id"]: r for r in evidence.activity_summary(con, tenant, since, until).iter_rows(named=True)}
    categories = queries.observed_categories(con, tenant, since, until)
    recipients = queries.observed_recipients(con, tenant, since, until)
    result = []
    for a in policy.activities:
        row = summary.get(a.id, {"calls": 0, "with_pd": 0, "special": 0})
        providers = [Count(name=provider_name(r["provider"], names), calls=r["calls"])
                     for r in recipients.filter(pl.col("activity_id") == a.id).iter_rows(named=True)]
        result.append(DpiaActivity(
            **declared(a), calls=row["calls"], calls_with_personal_data=row["with_pd"], special_calls=row["special"],
            **categories_of(a, categories), providers=providers, retention=a.retention))
    return result


def _criteria(f: dict[str, int], policy: Policy) -> list[Criterion]:
    subjects = sorted({s for a in policy.activities for s in a.data_subjects} & set(evidence.VULNERABLE_SUBJECTS))
    pd = f["with_pd"]
    return [
        Criterion(number=1, name="Evaluation or scoring", met=f["scoring"] > 0,
                  evidence=f"{f['scoring']:,} calls with personal data from pricing and product-discovery features "
                           "(recommendation and pricing models evaluate customers' behaviour)"),
        Criterion(number=2, name="Automated decision-making with legal or similar effect", met=False,
                  evidence=f"traffic cannot show whether model output decides on its own; {f['checkout']:,} checkout "
                           "calls carried personal data — confirm with the process owner"),
        Criterion(number=3, name="Systematic monitoring", met=False,
                  evidence="no observation of people over time seen in the calls; Douane's own audit keeps "
                           "categories and keyed hashes only"),
        Criterion(number=4, name="Sensitive or highly personal data", met=f["special"] > 0,
                  evidence=f"{f['special']:,} calls carried Art. 9 data (health terms)"),
        Criterion(number=5, name="Large-scale processing", met=pd >= LARGE_SCALE_CALLS,
                  evidence=f"{pd:,} calls with personal data ({f['distinct_contents']:,} distinct contents) from "
                           f"{f['subject_countries']} countries; threshold used: {LARGE_SCALE_CALLS:,} calls"),
        Criterion(number=6, name="Matching or combining datasets", met=f["combined"] > 0,
                  evidence=f"{f['combined']:,} calls combined three or more categories (e.g. contact, address and "
                           "bank details) in one prompt"),
        Criterion(number=7, name="Vulnerable data subjects", met=bool(subjects) or f["special"] > 0,
                  evidence=(f"declared data subjects: {', '.join(subjects)}; " if subjects else "") +
                           f"{f['special']:,} calls about customers' health"),
        Criterion(number=8, name="Innovative technology", met=f["calls"] > 0,
                  evidence=f"{f['calls']:,} calls to {f['providers']} large-language-model services"),
        Criterion(number=9, name="Prevents exercising a right or using a service", met=False,
                  evidence=f"{f['refused']:,} customer-facing calls (support, checkout) were blocked; the shop "
                           "answers these without the model, so no service is refused by the processing itself"),
    ]


def _risk(row: dict, total: int) -> Risk:
    share = row["calls"] / total
    likelihood = 1 if share < 0.001 else 2 if share < 0.01 else 3 if share < 0.10 else 4
    stopped = row["stopped"] / row["calls"] if row["calls"] else 0.0
    residual = max(1, likelihood - round(3 * stopped))
    impact = row["impact"]
    return Risk(
        rule_id=row["rule_id"], title=row["title"], articles=list(row["articles"]),
        severity={4: "critical", 3: "high", 2: "medium", 1: "low"}[impact], calls=row["calls"], share=share,
        likelihood=likelihood, impact=impact, score=likelihood * impact, level=risk_level(likelihood * impact),
        measures=f"{row['stopped']:,} of {row['calls']:,} calls redirected, blocked or failed over in-line"
        if row["stopped"] else "none in-line: findings raised to the compliance officer",
        residual_likelihood=residual, residual_score=residual * impact, residual_level=risk_level(residual * impact))


def _measures(f: dict[str, int], policy: Policy, batches: int, names: dict) -> list[Measure]:
    vendors = [v for v in policy.vendors if v.dpf or v.scc or v.bcr or v.tia]
    return [
        Measure(name="Redirection to the sovereign model",
                evidence=f"{f['redirected']:,} calls redirected by policy, {f['failed_over']:,} "
                         "failed over when a provider locked out or failed"),
        Measure(name="Blocking", evidence=f"{f['blocked']:,} calls blocked before they left"),
        Measure(name="Minimisation of the audit trail",
                evidence="events and store hold categories, counts and keyed hashes; no prompt text, no credentials"),
        Measure(name="Transfer safeguards on file",
                evidence="; ".join(f"{provider_name(v.provider, names)}: " + ", ".join(k for k in ("dpf", "scc", "bcr", "tia")
                                                                 if getattr(v, k)).upper() for v in vendors)
                or "none recorded"),
        Measure(name="Tamper-evident evidence", evidence=f"hash-chained ledger of {batches:,} batches "
                                                          "(douane ledger verify)"),
        Measure(name="Retention", evidence="; ".join(f"{a.name}: {a.retention}" for a in policy.activities)),
    ]
