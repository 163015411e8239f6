"""Retention from the policy: per tenant and category, whole days or rewritten segments, lawful to verify."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from rules.policy import EvidenceRetention
from stream.store import open_store
from stream.store.expiry import expire
from tests.stream.store_helpers import POLICIES, audited, count, keyed

TODAY = datetime(2026, 11, 30, tzinfo=timezone.utc).date()
AGES = (5, 20, 40)


def _aged(n: int, today=TODAY) -> list:
    """Calls of shop-berlin 5, 20 and 40 days old, in turn."""
    events = []
    for i, item in enumerate(audited(n, tenants=("shop-berlin",))):
        day = today - timedelta(days=AGES[i % 3])
        moment = datetime.combine(day, time(9, 0), tzinfo=timezone.utc) + timedelta(seconds=i)
        events.append(item.event.model_copy(update={"observed_at": moment}))
    return [POLICIES.audit(e) for e in events]


@pytest.fixture
def store(tmp_path: Path):
    k = keyed(tmp_path)
    items = _aged(300)
    categories = Counter(c.category for i in items for c in i.event.personal_data.categories)
    short = categories.most_common(1)[0][0]  # a category many calls carry, kept 10 days instead of 30
    rule = EvidenceRetention(days=30, categories={short: 10})
    berlin = dict(POLICIES.tenants())["shop-berlin"].model_copy(update={"evidence_retention": rule})
    writer = k.writer()
    writer.write(items)
    writer.record_policies([("shop-berlin", berlin)])
    return k, writer, items, rule


def _kept(items, rule: EvidenceRetention) -> set[str]:
    return {str(i.event.event_id) for i in items
            if (TODAY - i.event.observed_at.date()).days <= rule.days_for([c.category for c in
                                                                           i.event.personal_data.categories])}


def test_retention_from_the_policy_removes_expired_calls_and_verifies_as_lawful(store) -> None:
    k, writer, items, rule = store
    kept = _kept(items, rule)
    assert 100 < len(kept) < 200  # the 5-day calls, and the 20-day calls without the short category
    [done] = expire(writer, TODAY, by="dpo@shop")
    assert done.whole.records == 100  # the 40-day partition, whole
    assert done.partial.records == 200 - len(kept)  # the 20-day calls whose every category is kept 10 days
    con = open_store(k.root)
    assert {r[0] for r in con.execute("SELECT event_id::VARCHAR FROM calls").fetchall()} == kept
    report = k.verify()
    assert report.intact, report.problems
    assert len(report.lawful) == 2 and all("retention" in line for line in report.lawful)


def test_a_dry_run_says_what_retention_would_remove_and_removes_nothing(store) -> None:
    k, writer, items, rule = store
    [done] = expire(writer, TODAY, by="dpo@shop", dry_run=True)
    assert done.records == 300 - len(_kept(items, rule))
    assert count(open_store(k.root), "SELECT count(*) FROM calls") == 300
    assert k.verify().intact and not k.verify().lawful


def test_a_tenant_without_evidence_retention_is_left_alone(tmp_path: Path) -> None:
    k = keyed(tmp_path)
    writer = k.writer()
    writer.write(_aged(60))
    writer.record_policies(POLICIES.tenants())
    assert expire(writer, TODAY, by="dpo@shop") == []
    assert count(open_store(k.root), "SELECT count(*) FROM calls") == 60


def test_the_cli_prunes_from_the_policy_with_dry_run_first(tmp_path: Path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from douane.cli.main import app
    from stream.store import StoreWriter

    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOUANE_STORE", raising=False)
    today = datetime.now(timezone.utc).date()
    writer = StoreWriter(tmp_path / "home" / "store")
    writer.write(_aged(90, today))
    berlin = dict(POLICIES.tenants())["shop-berlin"]
    writer.record_policies([("shop-berlin", berlin.model_copy(update={"evidence_retention": EvidenceRetention(days=30)}))])
    run = CliRunner().invoke(app, ["store", "prune", "--from-policy", "--by", "dpo", "--dry-run"])
    assert run.exit_code == 0, run.output
    assert "shop-berlin (policy " in run.output and "would remove 30 calls" in run.output
    assert count(open_store(writer.root), "SELECT count(*) FROM calls") == 90
    run = CliRunner().invoke(app, ["store", "prune", "--from-policy", "--by", "dpo"])
    assert "removed 30 calls" in run.output
    run = CliRunner().invoke(app, ["ledger", "verify"])
    assert run.exit_code == 0 and "lawful deletion" in run.output and "retention" in run.output, run.output
    run = CliRunner().invoke(app, ["store", "prune", "--by", "dpo"])
    assert run.exit_code != 0 and "--from-policy" in run.output
