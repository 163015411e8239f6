"""``douane ledger verify``, ``douane store migrate|prune|erase`` as a user runs them."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from douane.cli.main import app
from stream.store import open_store
from tests.stream.store_helpers import audited, count

SINGLE_FILE = Path(__file__).parent / "data" / "single-file-store"
"""A single-file store written by the previous Douane (200 calls, policies, providers, one incident),
kept as DuckDB's EXPORT DATABASE of it."""


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOUANE_STORE", raising=False)
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _single_file(tmp_path: Path) -> Path:
    path = tmp_path / "douane.duckdb"
    con = duckdb.connect(str(path))
    con.execute(f"IMPORT DATABASE '{SINGLE_FILE}'")
    con.close()
    return path


def test_a_single_file_store_is_migrated_and_verifies(env: Path) -> None:
    old = _single_file(env)
    result = run("store", "migrate", "--from", str(old))
    assert result.exit_code == 0, result.output
    assert "200 calls, 4 policies" in result.output and "1 incidents" in result.output
    assert "new store: " in result.output and "intact" in result.output
    con = open_store(env / "home" / "store")
    legacy = duckdb.connect(str(old), read_only=True)
    for sql in ("SELECT count(*) FROM calls", "SELECT count(*) FROM findings", "SELECT count(*) FROM transfers",
                "SELECT count(*) FROM processing_activities", "SELECT count(*) FROM providers"):
        assert count(con, sql) == count(legacy, sql), sql
    assert con.execute("SELECT acknowledged_by FROM incidents").fetchall() == [("lena.vogt",)]
    assert run("ledger", "verify").exit_code == 0


def test_a_single_file_store_that_does_not_verify_is_not_migrated(env: Path) -> None:
    old = _single_file(env)
    con = duckdb.connect(str(old))
    con.execute("UPDATE calls SET decision = 'allowed-after-all' WHERE event_id = (SELECT min(event_id) FROM calls)")
    con.close()
    result = run("store", "migrate", "--from", str(old))
    assert result.exit_code == 1 and "does not verify" in result.output and "--force" in result.output


def test_verify_names_the_problem_and_fails(env: Path) -> None:
    from stream.store import StoreWriter

    writer = StoreWriter(env / "home" / "store")
    writer.write(audited(40))
    ok = run("ledger", "verify")
    assert ok.exit_code == 0 and "intact" in ok.output and "published heads checked" in ok.output
    for segment in (env / "home" / "store" / "calls").rglob("*.parquet"):
        segment.unlink()
    bad = run("ledger", "verify")
    assert bad.exit_code == 1 and "deleted (its segment calls/tenant=" in bad.output
    as_json = run("ledger", "verify", "--json")
    report = __import__("json").loads(as_json.stdout.splitlines()[0])
    assert as_json.exit_code == 1 and report["intact"] is False and report["calls"] == 40
    assert any("deleted (its segment calls/tenant=" in p for p in report["problems"])


def test_prune_and_erase_with_dry_run(env: Path) -> None:
    from stream.store import StoreWriter

    writer = StoreWriter(env / "home" / "store")
    writer.write(audited(60))
    event_id = writer.con.execute("SELECT min(event_id)::VARCHAR FROM calls").fetchall()[0][0]
    dry = run("store", "erase", "--event-id", event_id, "--basis", "request 17", "--by", "dpo", "--dry-run")
    assert dry.exit_code == 0 and "would erase 1 call(s)" in dry.output
    assert count(writer.con, "SELECT count(*) FROM calls") == 60
    done = run("store", "erase", "--event-id", event_id, "--basis", "request 17", "--by", "dpo")
    assert "erased 1 call(s)" in done.output and count(writer.con, "SELECT count(*) FROM calls") == 59
    pruned = run("store", "prune", "--tenant", "shop-berlin", "--older-than", "1", "--basis", "90 days", "--by", "dpo")
    assert pruned.exit_code == 0 and "removed" in pruned.output
    left = count(writer.con, "SELECT count(*) FROM calls WHERE tenant = 'shop-berlin'")
    assert left == 0  # the generator's traffic is older than a day
    verified = run("ledger", "verify")
    assert verified.exit_code == 0 and verified.output.count("lawful deletion") == 2


def test_store_changes_answer_in_json_for_scripts(env: Path) -> None:
    import json

    from stream.store import StoreWriter

    writer = StoreWriter(env / "home" / "store")
    writer.write(audited(30))
    event_id = writer.con.execute("SELECT min(event_id)::VARCHAR FROM calls").fetchall()[0][0]
    erased = json.loads(run("store", "erase", "--event-id", event_id, "--event-id", "0190-not-there",
                            "--basis", "request 18", "--by", "dpo", "--dry-run", "--json").stdout)
    assert erased == {"dry_run": True, "by_event_id": {"calls": 1, "segments": erased["by_event_id"]["segments"],
                                                       "not_in_store": ["0190-not-there"]}}
    pruned = json.loads(run("store", "prune", "--tenant", "shop-berlin", "--older-than", "1", "--basis", "90 days",
                            "--by", "dpo", "--dry-run", "--json").stdout)
    berlin = count(writer.con, "SELECT count(*) FROM calls WHERE tenant = 'shop-berlin'")
    assert pruned["dry_run"] is True and pruned["calls"] == berlin and pruned["tenant"] == "shop-berlin"
    compacted = json.loads(run("store", "compact", "--min-files", "2", "--json").stdout)
    assert set(compacted) == {"merged_segments", "into", "removed_earlier"}
