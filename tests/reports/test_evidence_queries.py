"""The DPIA's evidence queries answer from grouped rows; a naive recount, one call at a time, agrees.

The store is the varied one of ``test_queries.py`` (two policies, three tenants, several days, edge
cases written on purpose). The recount reads every call row with its list of findings and counts in
Python; the queries group the calls in DuckDB and unnest only the grouped rows.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from douane.contract.events import Action
from douane.contract.verdict import Severity
from reports import evidence
from reports.common import bounds
from stream.store import open_store
from tests.reports.test_queries import FIRST, LAST, TENANTS, _edge_cases, _personal, _places, rows_of, write_varied

IMPACT = {"critical": 4, "high": 3, "medium": 2, "low": 1}
STOPPED = ("redirected", "blocked", "failed_over")


def _stopped(audited: list) -> list:
    """Copies of some calls as the gateway would have stopped them (redirected, blocked, failed over); every
    fourth with one of its findings raised twice, the second time worse and worded apart (as a rule judging
    two destinations of one call may)."""
    actions = (Action.REDIRECTED, Action.BLOCKED, Action.FAILED_OVER)
    stopped = []
    for n, a in enumerate(audited[:120]):
        outcome = a.event.outcome.model_copy(update={"action": actions[n % 3]})
        event_id = uuid.uuid5(uuid.NAMESPACE_URL, f"stopped-{n}-{a.event.event_id}")
        copy = dataclasses.replace(a, event=a.event.model_copy(update={"outcome": outcome, "event_id": event_id}))
        stopped.append(_raised_twice(copy) if n % 4 == 0 else copy)
    return stopped


def _raised_twice(audited):
    risks = [f for f in audited.verdict.findings if f.severity != Severity.INFO]
    if not risks:
        return audited
    again = risks[0].model_copy(update={"severity": Severity.CRITICAL, "title": f"{risks[0].title} (second place)"})
    return dataclasses.replace(audited, verdict=audited.verdict.model_copy(
        update={"findings": (*audited.verdict.findings, again)}))


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> Path:
    """The varied store of ``test_queries.py`` with stopped calls added: three tenants, four days, edge cases."""
    return write_varied(tmp_path_factory.mktemp("varied") / "store", lambda a: _edge_cases(a) + _stopped(a))


def _calls(path: Path, tenant: str, since: datetime, until: datetime) -> list[dict]:
    """Every call row of ``tenant`` in the period, with its findings as stored (a list per call)."""
    return rows_of(path, "call_segments", tenant, since, until)


def _risks(row: dict) -> list[dict]:
    return [f for f in row["findings"] if f["severity"] != "info"]


def naive_rules(rows: list[dict]) -> list[tuple]:
    """Per rule: worst impact, calls with the rule, those stopped; sorted as the report lists them."""
    calls: Counter = Counter()
    stopped: Counter = Counter()
    impact: dict[str, int] = {}
    for row in rows:
        for rule in {f["rule_id"] for f in _risks(row)}:
            calls[rule] += 1
            stopped[rule] += row["action"] in STOPPED
        for f in _risks(row):
            impact[f["rule_id"]] = max(impact.get(f["rule_id"], 0), IMPACT[f["severity"]])
    listed = [(rule, impact[rule], calls[rule], stopped[rule]) for rule in calls]
    return sorted(listed, key=lambda r: (-r[1], -r[2], r[0]))


def worst_titles(rows: list[dict]) -> dict[str, set[tuple]]:
    """Per rule, the (title, articles) of its findings of the worst severity seen."""
    worst: dict[str, int] = {}
    for f in (f for row in rows for f in _risks(row)):
        worst[f["rule_id"]] = max(worst.get(f["rule_id"], 0), IMPACT[f["severity"]])
    titles: dict[str, set[tuple]] = {}
    for f in (f for row in rows for f in _risks(row)):
        if IMPACT[f["severity"]] == worst[f["rule_id"]]:
            titles.setdefault(f["rule_id"], set()).add((f["title"], tuple(f["articles"])))
    return titles


def naive_over_time(rows: list[dict]) -> Counter:
    """Findings above "info" per five minutes (bins on the epoch's multiples) and severity."""
    found: Counter = Counter()
    for row in rows:
        seconds = int(row["observed_at"].timestamp()) // 300 * 300
        for f in _risks(row):
            found[(datetime.fromtimestamp(seconds, timezone.utc), f["severity"])] += 1
    return found


def naive_flows(rows: list[dict]) -> dict[tuple, tuple[int, bool]]:
    """Calls with personal data per feature, recipient and set of places; whether any raised a finding."""
    found: dict[tuple, tuple[int, bool]] = {}
    for row in (r for r in rows if _personal(r)):
        key = (row["feature"], row["provider"] or f"host:{row['host']}", " + ".join(_places(row)))
        calls, finding = found.get(key, (0, False))
        found[key] = (calls + 1, finding or bool(_risks(row)))
    return found


def naive_activities(rows: list[dict]) -> dict[str, tuple[int, int, int]]:
    per: dict[str, tuple[int, int, int]] = {}
    for row in rows:
        calls, with_pd, special = per.get(row["activity_id"] or "-", (0, 0, 0))
        per[row["activity_id"] or "-"] = (calls + 1, with_pd + _personal(row), special + row["special"])
    return per


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_dpia_evidence_equals_a_naive_recount(varied, tenant) -> None:
    since, until = bounds(FIRST, LAST)
    rows = _calls(varied, tenant, since, until)
    assert len(rows) > 500 and any(r["action"] in STOPPED for r in rows)
    assert any(len({f["rule_id"] for f in _risks(r)}) < len(_risks(r)) for r in rows)  # a rule raised twice
    assert any(_risks(r) and not _personal(r) for r in rows) or any(_personal(r) and not _risks(r) for r in rows)
    con = open_store(varied)
    try:
        rules = evidence.findings_by_rule(con, tenant, since, until)
        over_time = evidence.findings_over_time(con, tenant, since, until)
        flows = evidence.flows(con, tenant, since, until)
        activities = evidence.activity_summary(con, tenant, since, until)
    finally:
        con.close()
    assert [(r["rule_id"], r["impact"], r["calls"], r["stopped"]) for r in rules.iter_rows(named=True)] == \
        naive_rules(rows)
    titles = worst_titles(rows)
    assert all((r["title"], tuple(r["articles"])) in titles[r["rule_id"]] for r in rules.iter_rows(named=True))
    assert {(r["start"], r["severity"]): r["findings"] for r in over_time.iter_rows(named=True)} == \
        naive_over_time(rows)
    assert over_time.rows() == sorted(over_time.rows())
    assert {(r["feature"], r["provider"], r["destination"]): (r["calls"], r["finding"])
            for r in flows.iter_rows(named=True)} == naive_flows(rows)
    listed = [(-r["calls"], r["feature"], r["provider"], r["destination"]) for r in flows.iter_rows(named=True)]
    assert listed == sorted(listed)
    assert {r["activity_id"]: (r["calls"], r["with_pd"], r["special"]) for r in activities.iter_rows(named=True)} == \
        naive_activities(rows)


def test_a_shorter_period_gets_its_own_findings_roll_up(varied) -> None:
    one_day = bounds(FIRST + timedelta(days=1), FIRST + timedelta(days=1))
    whole = bounds(FIRST, LAST)
    con = open_store(varied)
    try:
        in_whole = evidence.flows(con, "shop-berlin", *whole)["calls"].sum()
        in_one_day = evidence.flows(con, "shop-berlin", *one_day)["calls"].sum()
        other_tenant = evidence.flows(con, "shop-lyon", *one_day)["calls"].sum()
    finally:
        con.close()
    for tenant, period, summed in (("shop-berlin", whole, in_whole), ("shop-berlin", one_day, in_one_day),
                                   ("shop-lyon", one_day, other_tenant)):
        assert summed == sum(_personal(r) for r in _calls(varied, tenant, *period))
    assert 0 < in_one_day < in_whole
