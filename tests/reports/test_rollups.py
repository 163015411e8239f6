"""The segments' roll-ups give the reports exactly the figures a scan of every call gives.

The varied store (three tenants, traffic running past midnight, edge cases) is compacted, so each day
folder's calls live in one segment with roll-ups, and then more calls are written on the same days:
fresh segments without roll-ups beside rolled-up ones. Every report query is answered twice, once
from the roll-ups and once with them ignored (every call read), over whole days, over a period that
cuts days at both ends, and over a few hours inside one day. The scan itself is held to a naive
recount by ``test_queries`` and ``test_evidence_queries``.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from collector import TrafficGenerator
from reports import build_article30, build_dpia, evidence, queries
from rules.jurisdictions import load_jurisdictions
from stream import PolicySet
from stream.store import StoreWriter, open_store, snapshot
from stream.store.compaction import compact
from stream.store.retention import remove_whole
from stream.store.rollup import rollup_files
from tests.reports.test_queries import TENANTS, write_varied
from tests.stream.conftest import EXAMPLES

PERIODS = {
    "whole days": (datetime(2026, 11, 2, tzinfo=timezone.utc), datetime(2026, 11, 7, tzinfo=timezone.utc)),
    "cuts a day at each end": (datetime(2026, 11, 3, 12, 7, tzinfo=timezone.utc),
                               datetime(2026, 11, 5, 0, 10, tzinfo=timezone.utc)),
    "inside one day": (datetime(2026, 11, 4, 0, 2, tzinfo=timezone.utc),
                       datetime(2026, 11, 4, 0, 20, tzinfo=timezone.utc)),
}


def _mixed(path: Path) -> Path:
    """The varied store, compacted (roll-ups), then more calls on the same days (segments without)."""
    write_varied(path)
    writer = StoreWriter(path)
    compact(writer, min_files=1)
    policies = PolicySet.load([EXAMPLES])
    events = TrafficGenerator(TENANTS, seed=45, start=datetime(2026, 11, 3, 23, 50, tzinfo=timezone.utc),
                              health_share=0.3).events(400)
    writer.write([policies.audit(e) for e in events])
    return path


@pytest.fixture(scope="module")
def mixed(tmp_path_factory) -> Path:
    return _mixed(tmp_path_factory.mktemp("rolled") / "store")


def _answers(con, tenant: str, start: datetime, end: datetime) -> dict[str, object]:
    """Every report query's answer, in a form that compares whatever the order of rows."""
    frames = {
        "flows": queries.observed_flows(con, tenant, start, end, load_jurisdictions()),
        "by_destinations": queries.calls_by_destinations(con, tenant, start, end),
        "recipients": queries.observed_recipients(con, tenant, start, end),
        "categories": queries.observed_categories(con, tenant, start, end),
        "activities": evidence.activity_summary(con, tenant, start, end),
        "by_rule": evidence.findings_by_rule(con, tenant, start, end),
        "over_time": evidence.findings_over_time(con, tenant, start, end),
        "dpia_flows": evidence.flows(con, tenant, start, end),
    }
    answers: dict[str, object] = {name: sorted(map(repr, frame.rows())) for name, frame in frames.items()}
    answers["counts"] = queries.period_counts(con, tenant, start, end)
    answers["criteria"] = evidence.criteria_facts(con, tenant, start, end)
    answers["feared"] = evidence.feared_facts(con, tenant, start, end)
    return answers


def test_the_store_mixes_rolled_up_segments_and_segments_without(mixed) -> None:
    snap = snapshot(mixed)
    live, rolled = snap.live_files("calls/"), snap.rolled_up()
    assert rolled and set(live) - rolled
    assert all((mixed / f).exists() for s in rolled for f in rollup_files(s))
    con = open_store(mixed)
    rows = {view: con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0]
            for view in ("call_segments", "raw_segments", "rolled_segments", "call_rollups")}
    assert rows["raw_segments"] + rows["rolled_segments"] == rows["call_segments"]
    assert 0 < rows["call_rollups"] < rows["rolled_segments"]


@pytest.mark.parametrize("period", PERIODS)
@pytest.mark.parametrize("tenant", TENANTS)
def test_the_roll_ups_give_the_figures_of_a_full_scan(mixed, tenant, period) -> None:
    start, end = PERIODS[period]
    rolled, scanned = open_store(mixed), open_store(mixed, rollups=False)
    from_rollups, from_calls = _answers(rolled, tenant, start, end), _answers(scanned, tenant, start, end)
    assert from_calls["counts"][0] > 0
    for name in from_calls:
        assert from_rollups[name] == from_calls[name], name


@pytest.mark.parametrize("tenant", TENANTS)
def test_the_documents_read_the_same_from_roll_ups(mixed, tenant) -> None:
    rolled, scanned = open_store(mixed), open_store(mixed, rollups=False)
    first, last, as_of = date(2026, 11, 2), date(2026, 11, 6), datetime.now(timezone.utc).date()
    assert build_article30(rolled, tenant, first, last, as_of) == build_article30(scanned, tenant, first, last, as_of)
    assert build_dpia(rolled, tenant, first, last).model_dump() == build_dpia(scanned, tenant, first, last).model_dump()


def test_an_edited_roll_up_is_not_read(tmp_path) -> None:
    path = _mixed(tmp_path / "store")
    start, end = PERIODS["whole days"]
    honest = _answers(open_store(path, rollups=False), "shop-berlin", start, end)
    segment = sorted(s for s in snapshot(path).rolled_up() if "shop-berlin" in s)[0]
    target = path / rollup_files(segment)[0]
    table = pq.read_table(target)
    pq.write_table(table.set_column(table.schema.get_field_index("calls"), "calls",
                                    [[n * 2 for n in table.column("calls").to_pylist()]]), target)
    assert segment not in snapshot(path).rolled_up()
    assert _answers(open_store(path), "shop-berlin", start, end) == honest


def test_a_pruned_segment_takes_its_roll_ups_with_it(tmp_path) -> None:
    path = _mixed(tmp_path / "store")
    segment = sorted(snapshot(path).rolled_up())[0]
    remove_whole(StoreWriter(path), [segment], {"reason": "retention", "policy": "test", "by": "test"})
    assert not any((path / f).exists() for f in rollup_files(segment))
    assert segment not in snapshot(path).live_files("calls/")
