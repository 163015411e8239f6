"""The replay's answer as one model: rendered as a table, JSON, HTML or PDF."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel, Field

from stream.replay.diff import ActionGroup, Change, Minute, RuleDiff, actions, changes, rule_diff, timeline
from stream.replay.judge import Replayed


class Sources(BaseModel):
    """Where the calls and the verdicts of the time were read, and anything the reader should know."""

    calls: str
    verdicts_then: str
    notes: list[str] = []


class Incident(BaseModel):
    """An incident whose life overlaps the window, and where its alert went."""

    incident_id: str
    kind: str
    tenant: str
    rule_id: str
    provider: str
    severity: str
    status: str
    count: int
    opened_at: str
    last_seen: str
    channel: str | None = None
    alerts_sent: int | None = None


class Totals(BaseModel):
    """Counts over the whole window."""

    calls: int
    flagged_then: int
    flagged_now: int
    not_recorded: int
    not_governed: dict[str, int]
    records_read: int
    undecodable: int


class ReplayReport(BaseModel):
    """A replayed window: timeline, then-vs-now diff, non-forwarded calls and incidents. Read-only by construction."""

    window_start: datetime
    window_end: datetime
    tenant: str | None
    rules_now: list[str]
    sources: Sources
    totals: Totals
    timeline: list[Minute]
    rules: list[RuleDiff]
    changes: list[Change]
    actions: list[ActionGroup]
    incidents: list[Incident]
    redirected_ids: list[str] = Field(default_factory=list, exclude=True)  # for --redrive; not rendered

    @property
    def differs(self) -> bool:
        """Whether the rules given flag or decide any call differently from what was recorded."""
        return bool(self.changes) or any(r.added or r.removed for r in self.rules)

    def to_json(self) -> str:
        """Indented JSON, with ``differs`` for scripts."""
        return json.dumps({**self.model_dump(mode="json"), "differs": self.differs}, indent=2)


def build(window, calls: list[Replayed], sources: Sources, rules_now: list[str], incidents: list[Incident],
          records_read: int, undecodable: int, not_governed: dict[str, int]) -> ReplayReport:
    """Assemble the report from the replayed calls."""
    totals = Totals(calls=len(calls), flagged_then=sum(bool(c.then and c.then.flagged) for c in calls),
                    flagged_now=sum(bool(c.now and c.now.flagged) for c in calls),
                    not_recorded=sum(c.then is None for c in calls), not_governed=not_governed,
                    records_read=records_read, undecodable=undecodable)
    return ReplayReport(window_start=window.start, window_end=window.end, tenant=window.tenant, rules_now=rules_now,
                        sources=sources, totals=totals, timeline=timeline(calls), rules=rule_diff(calls),
                        changes=changes(calls), actions=actions(calls), incidents=incidents,
                        redirected_ids=[c.event_id for c in calls if c.action == "redirected"])
