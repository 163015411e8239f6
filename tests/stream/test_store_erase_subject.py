"""Art. 17 erasure by data subject: every call carrying the subject's keyed reference, lawful to verify."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from douane.cli.main import app
from stream.store import StoreWriter, open_store
from stream.store.retention import erase_subjects
from tests.stream.store_helpers import POLICIES, audited, count, keyed


def _ref(subject: int) -> str:
    return f"hmac-sha256:shop-key-1:{hashlib.sha256(f'customer-{subject}'.encode()).hexdigest()}"


def _with_subjects(n: int) -> list:
    """Calls of four customers in turn (each a keyed reference, as a tap sends it)."""
    return [POLICIES.audit(item.event.model_copy(update={"subject_ref": _ref(i % 4)}))
            for i, item in enumerate(audited(n))]


def test_erasure_by_subject_removes_their_calls_only_and_verifies_as_lawful(tmp_path: Path) -> None:
    k = keyed(tmp_path)
    writer = k.writer()
    writer.write(_with_subjects(120))
    con = open_store(k.root)
    assert count(con, "SELECT count(*) FROM calls WHERE subject_ref = ?", _ref(0)) == 30
    planned = erase_subjects(writer, [_ref(0), _ref(1)], basis="request 2026-117", by="dpo", dry_run=True)
    assert planned.records == 60 and planned.entry is None
    assert count(open_store(k.root), "SELECT count(*) FROM calls") == 120
    done = erase_subjects(writer, [_ref(0), _ref(1)], basis="request 2026-117", by="dpo")
    assert done.records == 60
    con = open_store(k.root)
    assert count(con, "SELECT count(*) FROM calls") == 60
    assert count(con, "SELECT count(*) FROM calls WHERE subject_ref IN (?, ?)", _ref(0), _ref(1)) == 0
    report = k.verify()
    assert report.intact, report.problems
    assert len(report.lawful) == 1 and "erasure" in report.lawful[0]
    ledger_text = "".join(p.read_text() for p in (k.root / "ledger").rglob("*.json"))
    assert _ref(0).split(":")[2] not in ledger_text  # the tombstone names the calls, not the subjects


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_cli_erases_a_subject(tmp_path: Path, monkeypatch, dry_run: bool) -> None:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOUANE_STORE", raising=False)
    StoreWriter(tmp_path / "home" / "store").write(_with_subjects(40))
    args = ["store", "erase", "--subject-ref", _ref(2), "--basis", "request 7", "--by", "dpo"]
    run = CliRunner().invoke(app, args + (["--dry-run"] if dry_run else []))
    assert run.exit_code == 0, run.output
    assert f"{'would erase' if dry_run else 'erased'} 10 call(s) of 1 subject(s)" in run.output
    left = count(open_store(tmp_path / "home" / "store"), "SELECT count(*) FROM calls")
    assert left == (40 if dry_run else 30)
    assert CliRunner().invoke(app, ["store", "erase", "--basis", "x", "--by", "dpo"]).exit_code != 0
