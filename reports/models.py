"""Report models: what a report says, independent of how it is rendered (PDF, HTML, JSON)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict

from rules.assessment import DpoAdvice, SubjectsViews


class Model(BaseModel):
    """Base: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(Model):
    """A named party and how to reach it."""

    name: str
    contact: str
    address: str | None = None


class ControllerHeader(Model):
    """Who keeps a record (Art. 30(1)(a)): the controller, its DPO, representative and joint or served controllers."""

    tenant: str
    controller: Party
    controller_country: str
    role: str
    dpo: Party | None
    representative: Party | None
    joint_controllers: list[Party]
    controllers_served: list[Party]


class Transfer(Model):
    """Calls of one activity to one provider and destination, on one basis, as observed."""

    provider: str
    provider_name: str
    destination: str
    third_country: bool
    basis: str
    decision: str
    calls: int
    special_calls: int
    first_seen: datetime
    last_seen: datetime
    safeguard: str
    declared: bool
    notes: list[str]


class Count(Model):
    """A name with how many calls it concerns."""

    name: str
    calls: int


class DeclaredActivity(Model):
    """A processing activity as the policy declares it; the Article 30 record and the DPIA both start from it."""

    id: str
    name: str
    purpose: str
    legal_basis: str
    special_category_basis: str | None
    data_subjects: list[str]


class ActivityRecord(DeclaredActivity):
    """One processing activity: the Art. 30(1)(a)–(g) fields, declared and observed."""

    categories_declared: list[str]
    categories_observed: list[Count]
    categories_undeclared: list[str]
    recipients_declared: list[str]
    recipients_observed: list[Count]
    recipients_undeclared: list[str]
    recipients_unseen: list[str]
    transfers: list[Transfer]
    destinations_declared: list[str]
    destinations_undeclared: list[str]
    destinations_unseen: list[str]
    retention: str
    security_measures: str | None
    calls: int
    special_calls: int


class DestinationCount(Model):
    """Calls with personal data that went to one set of places (processing and seat), with one decision."""

    destinations: str
    decision: str
    calls: int


class Article30Report(Model):
    """The record of processing activities for one controller: the standing record (with its controller header and
    policy version), and the period's declared-versus-observed annex."""

    period_start: date
    period_end: date
    activities: list[ActivityRecord]
    calls_total: int
    calls_with_personal_data: int
    calls_special: int
    calls_outside_activities: int
    destinations: list[DestinationCount]
    ledger_batches: int
    ledger_head: str
    record: StandingRecord


class Criterion(Model):
    """One of the nine WP248 criteria: whether the evidence meets it, and the evidence."""

    number: int
    name: str
    met: bool
    evidence: str


class Risk(Model):
    """One entry of the risk register, built from the findings of one rule."""

    rule_id: str
    title: str
    articles: list[str]
    severity: str
    calls: int
    share: float
    likelihood: int  # 1 rare .. 4 almost certain
    impact: int  # 1 low .. 4 critical
    score: int
    level: str
    measures: str
    residual_likelihood: int
    residual_score: int
    residual_level: str


class FearedEvent(Model):
    """A risk to data subjects as the CNIL method frames it: sources, threats, impacts, severity and likelihood
    (1 negligible .. 4 maximum) with their evidence, the measures, and the risk left after them."""

    area: str  # access, modification, disappearance: the key of its owner in the policy's dpia.owners
    name: str
    sources: str
    threats: str
    impacts: str
    severity: int
    severity_why: str
    likelihood: int
    likelihood_why: str
    level: str
    measures: str
    residual_severity: int
    residual_likelihood: int
    residual_level: str
    planned_likelihood: int  # once the action plan is carried out
    planned_level: str
    measured: bool  # False: judged, not measured from the store


class Principle(Model):
    """One point of necessity and proportionality (CNIL part 2, ICO step 4): the assessment and its state."""

    area: str  # the key of its owner in the policy's dpia.owners
    name: str
    article: str
    assessment: str
    state: str  # ok, to be completed, action needed


class Action(Model):
    """One entry of the action plan: what remains to do, why, who and by when."""

    what: str
    why: str
    owner: str
    due: date


class Measure(Model):
    """A measure in place, with what the traffic shows of it."""

    name: str
    evidence: str


class Flow(Model):
    """Calls with personal data from one app feature to one provider and the places they went (each call in
    one flow); ``finding``: at least one of them raised a finding above "info", so the flow is always drawn."""

    feature: str
    provider: str
    destination: str
    calls: int
    finding: bool


class TimeCount(Model):
    """Findings of one severity in one time bin (its start, UTC)."""

    start: datetime
    severity: str
    findings: int


class DpiaActivity(DeclaredActivity):
    """Art. 35(7)(a)-(b) for one activity: what it does and whether it takes only what it needs."""

    calls: int
    calls_with_personal_data: int
    special_calls: int
    categories_declared: list[str]
    categories_observed: list[Count]
    categories_undeclared: list[str]
    providers: list[Count]
    retention: str


class DpiaReport(Model):
    """The data protection impact assessment (Art. 35) for one controller and period."""

    tenant: str
    controller: Party
    dpo: Party | None
    period_start: date
    period_end: date
    policy_version: str
    calls_total: int
    activities: list[DpiaActivity]
    criteria: list[Criterion]
    criteria_met: int
    dpia_required: bool
    risks: list[Risk]
    measures: list[Measure]
    residual_level: str  # the worst feared event after the measures in place
    planned_level: str  # the worst once the action plan is carried out (what Art. 36 is judged on)
    prior_consultation: bool
    flows: list[Flow]
    findings_over_time: list[TimeCount]
    findings_bin_minutes: int  # the width of the bins, chosen for the findings' span (reports.bins)
    ledger_head: str
    feared_events: list[FearedEvent]
    necessity: list[Principle]
    recipients: list[RecordRow]
    actions: list[Action]
    dpo_advice: DpoAdvice | None
    subjects_views: SubjectsViews | None


class RecordRow(Model):
    """One row of the standing record: one activity and one recipient, as the common RoPA templates lay it out."""

    activity_id: str
    activity: str
    purpose: str
    legal_basis: str
    special_category_condition: str | None
    criminal_data_basis: str | None
    data_subjects: list[str]
    categories: list[str]
    recipient: str
    recipient_role: str
    recipient_entity: str
    dpa: str
    third_countries: list[str]
    transfer_tools: list[str]
    tools_hold: bool
    retention: str
    security_measures: str | None


class StandingRecord(ControllerHeader):
    """The record of processing activities as it stands on one day (Art. 30(1), or 30(2) for a processor)."""

    as_of: date
    policy_version: str
    last_updated: date
    rows: list[RecordRow]


Article30Report.model_rebuild()
DpiaReport.model_rebuild()
