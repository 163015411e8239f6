"""The diff between what was flagged then and what the given rules flag now, and the per-minute timeline."""

from __future__ import annotations

from collections import Counter, defaultdict
from pydantic import BaseModel

from stream.replay.judge import Replayed

EXAMPLES = 3
"""Example event ids kept per line of the diff."""


class RuleDiff(BaseModel):
    """One rule: calls it flagged then and now, and the calls it newly flags or no longer flags."""

    rule_id: str
    then: int
    now: int
    added: int
    removed: int
    added_examples: list[str]
    removed_examples: list[str]


class Change(BaseModel):
    """Calls whose decision, basis or enforcement changed from one value to another."""

    field: str
    then: str
    now: str
    calls: int
    examples: list[str]


class Minute(BaseModel):
    """One minute of the window."""

    minute: str
    calls: int
    flagged_then: int
    flagged_now: int
    redirected: int
    failed_over: int
    blocked: int


class ActionGroup(BaseModel):
    """Calls that were not simply forwarded, grouped by what happened and where they were going."""

    action: str
    tenant: str
    provider: str
    error_class: str | None
    calls: int
    examples: list[str]


def rule_diff(calls: list[Replayed]) -> list[RuleDiff]:
    """Per rule, over the calls judged both then and now (the rules a call gained or lost)."""
    then, now = Counter(), Counter()
    added, removed = defaultdict(list), defaultdict(list)
    for call in _compared(calls):
        then.update(call.then.flagged)
        now.update(call.now.flagged)
        for rule in call.now.flagged - call.then.flagged:
            added[rule].append(call.event_id)
        for rule in call.then.flagged - call.now.flagged:
            removed[rule].append(call.event_id)
    rules = sorted(set(then) | set(now))
    return [RuleDiff(rule_id=r, then=then[r], now=now[r], added=len(added[r]), removed=len(removed[r]),
                     added_examples=added[r][:EXAMPLES], removed_examples=removed[r][:EXAMPLES]) for r in rules]


def changes(calls: list[Replayed]) -> list[Change]:
    """Decision, basis and enforcement transitions (then → now), most frequent first."""
    found: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for call in _compared(calls):
        for field in ("decision", "basis", "enforcement"):
            old, new = getattr(call.then, field), getattr(call.now, field)
            if old != new:
                found[(field, old, new)].append(call.event_id)
    order = sorted(found.items(), key=lambda kv: (("decision", "basis", "enforcement").index(kv[0][0]),
                                                  -len(kv[1]), kv[0]))
    return [Change(field=f, then=old, now=new, calls=len(ids), examples=ids[:EXAMPLES]) for (f, old, new), ids in order]


def timeline(calls: list[Replayed]) -> list[Minute]:
    """Calls, flagged calls (then and now) and non-forwarded actions per minute of event time."""
    rows: dict[str, Counter] = defaultdict(Counter)
    for call in calls:
        minute = call.observed_at.replace(second=0, microsecond=0)
        row = rows[minute.strftime("%Y-%m-%d %H:%M")]
        row["calls"] += 1
        row["flagged_then"] += bool(call.then and call.then.flagged)
        row["flagged_now"] += bool(call.now and call.now.flagged)
        row[call.action] += 1
    return [Minute(minute=m, calls=r["calls"], flagged_then=r["flagged_then"], flagged_now=r["flagged_now"],
                   redirected=r["redirected"], failed_over=r["failed_over"], blocked=r["blocked"])
            for m, r in sorted(rows.items())]


def actions(calls: list[Replayed]) -> list[ActionGroup]:
    """Redirected, failed-over and blocked calls by tenant, provider and error class."""
    groups: dict[tuple, list[str]] = defaultdict(list)
    for call in calls:
        if call.action != "forwarded":
            groups[(call.action, call.tenant, call.provider or "unknown", call.error_class)].append(call.event_id)
    return [ActionGroup(action=a, tenant=t, provider=p, error_class=e, calls=len(ids), examples=ids[:EXAMPLES])
            for (a, t, p, e), ids in sorted(groups.items(), key=lambda kv: (-len(kv[1]), str(kv[0])))]


def _compared(calls: list[Replayed]):
    return (c for c in calls if c.then is not None and c.now is not None)
