"""Models of the NIS2 incident report: clocks, timeline, failures over time, the NIS2 tests and the drafts."""

from __future__ import annotations

from datetime import datetime

from reports.models import Model, Party


class Clock(Model):
    """One NIS2 Art. 23 deadline and where it stands."""

    name: str
    article: str
    due: datetime | None
    state: str  # pending, due soon, overdue, not running


class TimelineEntry(Model):
    """Something that happened to the incident, in time order."""

    at: datetime
    what: str


class Bucket(Model):
    """Failures of the incident's provider in one time bucket."""

    start: datetime
    failures: int
    failed_over: int


class Nis2Tests(Model):
    """Is the organisation an entity under NIS2, is the incident significant, and where it is reported."""

    in_scope: bool | None
    entity_type: str
    scope_reasons: list[str]
    significant: bool
    disruption: str
    damage: str
    competent: str
    minutes: float
    calls_in_window: int
    unserved: int
    features: list[str]
    since: datetime  # the episode's first failure: the failures before the threshold was crossed count too


class IncidentReport(Model):
    """Drafts of the NIS2 Art. 23 reports for one incident: early warning, notification, final report."""

    incident_id: str
    kind: str
    tenant: str
    controller: Party
    rule_id: str
    title: str
    provider: str
    provider_name: str
    destination: str
    severity: str
    status: str
    count: int
    first_seen: datetime
    last_seen: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    explanation: str
    remediation: str
    articles: list[str]
    clocks: list[Clock]
    timeline: list[TimelineEntry]
    buckets: list[Bucket]
    bucket_minutes: int
    bucket_name: str  # the bin width in words ("5 minutes", "hour", "day"), chosen for the window (reports.bins)
    calls_affected: int
    calls_failed_over: int
    subject_countries: list[str]
    cross_border: bool
    as_of: datetime
    as_of_basis: str
    nis2: Nis2Tests
    notification_update: str  # the figures as of the notification, not the opening's
    mitigation: str
