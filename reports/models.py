"""Report models: what a report says, independent of how it is rendered (PDF, HTML, JSON)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    """Base: immutable, no unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Party(Model):
    """A named party and how to reach it."""

    name: str
    contact: str
    address: str | None = None


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


class Count(Model):
    """A name with how many calls it concerns."""

    name: str
    calls: int


class ActivityRecord(Model):
    """One processing activity: the Art. 30(1)(a)–(g) fields, declared and observed."""

    id: str
    name: str
    purpose: str
    legal_basis: str
    special_category_basis: str | None
    data_subjects: list[str]
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


class Article30Report(Model):
    """The record of processing activities for one controller and period."""

    tenant: str
    controller: Party
    controller_country: str
    role: str
    dpo: Party | None
    representative: Party | None
    joint_controllers: list[Party]
    controllers_served: list[Party]
    period_start: date
    period_end: date
    policy_version: str
    activities: list[ActivityRecord]
    calls_total: int
    calls_outside_activities: int
    ledger_batches: int
    ledger_head: str
