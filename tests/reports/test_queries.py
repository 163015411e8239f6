"""The reports' queries answer from a roll-up of the period's calls; a naive recount over the raw rows agrees.

The store is written by the real store writer from calls judged by the real rules engine: two policies,
three tenants, calls on several days, and edge cases written on purpose (no provider, no activity, no
place resolved, Art. 9 data without another category, a provider running anywhere). The recount reads
every call row and counts in Python, one call at a time.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from collector import TrafficGenerator
from reports import queries
from reports.common import bounds
from reports.transfers import destination_ruling
from rules.jurisdictions import load_jurisdictions
from stream import PolicySet
from stream.store import StoreWriter, open_store
from tests.stream.conftest import EXAMPLES

TENANTS = ("shop-berlin", "shop-lyon", "kaffee-berlin")
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 5)


def _edge_cases(audited: list) -> list:
    """Calls the synthetic traffic rarely or never makes, built from real ones with one thing changed."""
    with_pd = [a for a in audited if a.event.personal_data.categories]
    edges = []
    for i, a in enumerate(with_pd[:48]):
        change = i % 6
        if change == 0:
            edges.append(dataclasses.replace(a, provider=None))  # recipient known by its host only
        elif change == 1:
            edges.append(dataclasses.replace(a, activity_id=None))  # outside every activity
        elif change == 2:
            edges.append(dataclasses.replace(a, locations=frozenset(), entity_country=None))  # place unknown
        elif change == 3:
            edges.append(dataclasses.replace(a, locations=frozenset({"*"}), entity_country="US"))
        elif change == 4:
            edges.append(dataclasses.replace(a, locations=frozenset({"DE", "US", "JP"}), entity_country="US"))
        else:  # Art. 9 data and no other category
            data = a.event.personal_data.model_copy(update={"categories": [], "special_category": True})
            edges.append(dataclasses.replace(a, event=a.event.model_copy(update={"personal_data": data})))
    return [dataclasses.replace(e, event=e.event.model_copy(update={"event_id": _fresh(e, n)}))
            for n, e in enumerate(edges)]


def _fresh(audited, n: int) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"edge-{n}-{audited.event.event_id}")


def write_varied(path: Path, extra=None) -> Path:
    """Two policies, three tenants, four days of traffic each running past midnight, the edge cases, and
    what ``extra(audited)`` adds per day; written by the real writer."""
    extra = extra or _edge_cases
    policies = PolicySet.load([EXAMPLES])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    for offset, seed in enumerate((41, 42, 43, 44)):
        start = datetime(2026, 11, 2 + offset, 23, 30, tzinfo=timezone.utc)  # each day's traffic runs past midnight
        events = TrafficGenerator(TENANTS, seed=seed, start=start, health_share=0.2).events(600)
        audited = [policies.audit(e) for e in events]
        writer.write(audited + extra(audited))
    return path


@pytest.fixture(scope="module")
def varied(tmp_path_factory) -> Path:
    return write_varied(tmp_path_factory.mktemp("varied") / "store")


def rows_of(path: Path, view: str, tenant: str, since: datetime, until: datetime) -> list[dict]:
    """Every row of ``view`` for ``tenant`` in the period, as dicts."""
    con = open_store(path)
    try:
        cursor = con.execute(f"SELECT * FROM {view} WHERE tenant = ? AND observed_at >= ? AND observed_at < ?",
                             [tenant, since, until])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


def _rows(path: Path, tenant: str, since: datetime, until: datetime) -> list[dict]:
    return rows_of(path, "calls", tenant, since, until)


def _places(row: dict) -> list[str]:
    return sorted(set(row["locations"]) | ({row["entity_country"]} if row["entity_country"] else set())) or ["unknown"]


def _personal(row: dict) -> bool:
    return bool(row["categories"]) or row["special"]


def _recipient(row: dict) -> tuple[str, str]:
    return row["activity_id"] or "-", row["provider"] or f"host:{row['host']}"


def naive_flows(rows: list[dict], jurisdictions) -> dict[tuple, tuple]:
    """Per activity, recipient, destination and that destination's ruling: calls, Art. 9 calls, first, last."""
    found: dict[tuple, list] = {}
    for row in (r for r in rows if _personal(r)):
        for place in _places(row):
            ruling = destination_ruling(place, row["basis"], row["decision"], row["observed_at"].date(), jurisdictions)
            seen = found.setdefault((*_recipient(row), place, *ruling), [0, 0, row["observed_at"], row["observed_at"]])
            seen[0] += 1
            seen[1] += row["special"]
            seen[2], seen[3] = min(seen[2], row["observed_at"]), max(seen[3], row["observed_at"])
    return {k: tuple(v) for k, v in found.items()}


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_rolled_up_figures_equal_a_naive_recount(varied, tenant) -> None:
    since, until = bounds(FIRST, LAST)
    rows = _rows(varied, tenant, since, until)
    assert len(rows) > 500 and any(r["provider"] is None for r in rows) and any(r["activity_id"] is None for r in rows)
    assert any(r["special"] and not r["categories"] for r in rows)
    jurisdictions = load_jurisdictions()
    con = open_store(varied)
    try:
        counts = queries.period_counts(con, tenant, since, until)
        flows = queries.observed_flows(con, tenant, since, until, jurisdictions)
        destinations = queries.calls_by_destinations(con, tenant, since, until)
        recipients = queries.observed_recipients(con, tenant, since, until)
        categories = queries.observed_categories(con, tenant, since, until)
    finally:
        con.close()
    personal = [r for r in rows if _personal(r)]
    assert counts == (len(rows), len(personal), sum(r["special"] for r in rows))
    assert {(r["activity_id"], r["provider"], r["destination"], r["basis"], r["decision"]):
            (r["calls"], r["special_calls"], r["first_seen"], r["last_seen"])
            for r in flows.iter_rows(named=True)} == naive_flows(rows, jurisdictions)
    assert {(r["destinations"], r["decision"]): r["calls"] for r in destinations.iter_rows(named=True)} == \
        Counter((" + ".join(_places(r)), r["decision"]) for r in personal)
    assert {(r["activity_id"], r["provider"]): (r["calls"], r["special_calls"]) for r in recipients.iter_rows(named=True)} \
        == {k: (n, sum(r["special"] for r in personal if _recipient(r) == k))
            for k, n in Counter(_recipient(r) for r in personal).items()}
    assert {(r["activity_id"], r["category"]): r["calls"] for r in categories.iter_rows(named=True)} == \
        Counter((r["activity_id"] or "-", c) for r in rows for c in r["categories"])


def test_a_shorter_period_gets_its_own_roll_up(varied) -> None:
    con = open_store(varied)
    try:
        whole, one_day = bounds(FIRST, LAST), bounds(FIRST + timedelta(days=1), FIRST + timedelta(days=1))
        assert queries.period_counts(con, "shop-berlin", *whole)[0] == len(_rows(varied, "shop-berlin", *whole))
        assert queries.period_counts(con, "shop-berlin", *one_day)[0] == len(_rows(varied, "shop-berlin", *one_day))
        assert queries.period_counts(con, "shop-lyon", *one_day)[0] == len(_rows(varied, "shop-lyon", *one_day))
    finally:
        con.close()


def test_record_rows_read_the_registry_and_jurisdictions_once_per_process(monkeypatch) -> None:
    import rules.jurisdictions
    import rules.registry
    from reports.record import record_rows

    policy = dict(PolicySet.load([EXAMPLES]).tenants())["shop-berlin"]
    reads: Counter = Counter()
    for module in (rules.registry, rules.jurisdictions):
        def counted(path, model, _load=module.load_model, _name=module.__name__):
            reads[_name] += 1
            return _load(path, model)
        monkeypatch.setattr(module, "load_model", counted)
    rows = [record_rows(policy, LAST) for _ in range(3)]
    assert rows[0] == rows[2] and rows[0]
    assert max(reads.values(), default=0) <= 1, f"read per report: {dict(reads)}"
