"""The store on real files: Parquet segments under a ledger, idempotent writes, readers never blocked."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stream.store import StoreError, StoreWriter, open_store
from tests.stream.store_helpers import POLICIES, Keyed, audited, count, keyed


@pytest.fixture
def k(tmp_path: Path) -> Keyed:
    return keyed(tmp_path)


@pytest.fixture
def store(k: Keyed) -> StoreWriter:
    return k.writer()


def test_rows_and_findings_match_the_verdicts(store: StoreWriter) -> None:
    items = audited(500)
    result = store.write(items)
    assert (result.written, result.duplicates) == (500, 0)
    con = store.con
    assert count(con, "SELECT count(*) FROM calls") == 500
    assert count(con, "SELECT count(*) FROM findings") == sum(len(i.verdict.findings) for i in items)
    unauthorised = sum(i.verdict.decision.value == "unauthorised" for i in items)
    assert count(con, "SELECT count(*) FROM calls WHERE decision = 'unauthorised'") == unauthorised


def test_the_store_holds_no_content_only_categories_and_hashes(store: StoreWriter) -> None:
    store.write(audited(50))
    columns = {r[0] for r in store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'calls'").fetchall()}
    assert not columns & {"prompt", "messages", "content", "completion", "text", "body"}
    hashes = [r[0] for r in store.con.execute("SELECT content_hash FROM calls").fetchall()]
    assert all(h.startswith("hmac-sha256:") for h in hashes)


def test_redelivered_events_never_duplicate(k: Keyed, store: StoreWriter) -> None:
    items = audited(300)
    store.write(items[:200])
    again = store.write(items[100:300])
    assert (again.written, again.duplicates) == (100, 100)
    assert store.write(items).batch_id is None, "nothing new, no ledger entry"
    assert store.write(items[:10] + items[:10]).written == 0
    assert count(store.con, "SELECT count(*) FROM calls") == 300
    assert k.verify().intact


def test_a_second_writer_skips_what_the_first_stored(k: Keyed) -> None:
    items = audited(200)
    k.writer().write(items[:120])
    assert k.writer().write(items).written == 80
    assert count(open_store(k.root), "SELECT count(DISTINCT event_id) FROM calls") == 200
    assert k.verify().intact


def test_segments_are_laid_out_by_tenant_and_day(store: StoreWriter) -> None:
    store.write(audited(300))
    files = sorted(p.relative_to(store.root).parts[:3] for p in (store.root / "calls").rglob("*.parquet"))
    assert {f[1] for f in files} == {"tenant=shop-berlin", "tenant=shop-lyon"}
    days = count(store.con, "SELECT count(DISTINCT (tenant, observed_at::DATE)) FROM calls")
    assert len(set(files)) == days


def test_transfers_aggregate_observed_destinations(store: StoreWriter) -> None:
    items = audited(400)
    store.write(items[:200])
    store.write(items[200:])
    calls_to_cn = sum(1 for i in items if "CN" in i.locations and (i.event.personal_data.categories
                                                                    or i.event.personal_data.special_category))
    assert count(store.con, "SELECT coalesce(sum(calls), 0) FROM transfers WHERE destination = 'CN'") == calls_to_cn


def test_policies_and_registry_are_recorded_once(store: StoreWriter) -> None:
    store.record_policies(POLICIES.tenants())
    store.record_policies(POLICIES.tenants())
    con = store.con
    assert count(con, "SELECT count(DISTINCT tenant) FROM policies") == 4
    assert count(con, "SELECT count(*) FROM processing_activities WHERE tenant = 'shop-berlin'") == 4
    store.record_registry(POLICIES.registry)
    assert count(store.con, "SELECT count(*) FROM providers") == len(POLICIES.registry.providers)
    assert count(store.con, "SELECT count(*) FROM ledger WHERE chain = 'declared'") == 3


def test_a_reader_is_a_snapshot_that_a_later_write_does_not_change(store: StoreWriter) -> None:
    items = audited(200)
    store.write(items[:100])
    reader = open_store(store.root)
    store.write(items[100:])
    assert count(reader, "SELECT count(*) FROM calls") == 100
    assert count(open_store(store.root), "SELECT count(*) FROM calls") == 200


def test_a_reader_in_another_process_opens_the_store_while_a_writer_holds_it(store: StoreWriter) -> None:
    """Reproduces issue 17: with one DuckDB file, this open failed with "Could not set lock"."""
    store.write(audited(50))
    code = ("from stream.store import open_store\n"
            f"print(open_store({str(store.root)!r}).execute('SELECT count(*) FROM calls').fetchall()[0][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-500:]
    assert out.stdout.strip() == "50"
    assert store.write(audited(20, seed=7)).written == 20  # and the writer goes on


def test_a_write_cut_short_leaves_nothing_a_reader_sees(k: Keyed, store: StoreWriter) -> None:
    store.write(audited(30))
    orphan = store.root / "calls" / "tenant=shop-berlin" / "day=2026-01-01" / "calls.direct-9-9-dead.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes((next((store.root / "calls").rglob("*.parquet"))).read_bytes())
    assert count(store.con, "SELECT count(*) FROM calls") == 30  # no entry names it: invisible
    report = k.verify()
    assert report.intact and report.pending == [orphan.relative_to(store.root).as_posix()], "a write in progress"
    os.utime(orphan, (time.time() - 3600, time.time() - 3600))
    assert any("calls.direct-9-9-dead.parquet: in no ledger entry" in p for p in k.problems())


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at .*run the pipeline first"):
        open_store(tmp_path / "none")


def test_a_single_file_store_of_an_earlier_douane_names_the_migration(tmp_path: Path) -> None:
    old = tmp_path / "douane.duckdb"
    old.write_bytes(b"DUCK")
    with pytest.raises(StoreError, match="douane store migrate"):
        open_store(old)
