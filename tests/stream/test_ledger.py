"""The ledger against a writer who controls the store but not the key: each tampering found and named.

The first five cases reproduce issue 17: on the single-file store they all verified "intact"
(deleting the last batch with its entry, an edit re-chained consistently, a forged call with a
new entry, an emptied store, an edited policy or acknowledgement).
"""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stream.store import chain as ledger
from stream.store.canonical import digest
from stream.store.retention import erase, prune
from tests.stream.store_helpers import POLICIES, Keyed, audited, count, keyed

ATTACKER = Ed25519PrivateKey.generate()  # the store's operator has no access to the ledger key


@pytest.fixture
def k(tmp_path: Path) -> Keyed:
    k = keyed(tmp_path)
    writer = k.writer()
    items = audited(300, tenants=("shop-berlin",))
    for i in range(0, 300, 100):
        writer.write(items[i:i + 100])
    writer.record_policies(POLICIES.tenants())
    writer.record_incident(_incident())
    assert k.verify().intact
    return k


def _incident() -> dict:
    return {"id": "inc-1", "kind": "nis2", "tenant": "shop-berlin", "rule_id": "nis2.lockout", "provider": "openai",
            "destination": "US", "severity": "high", "status": "acknowledged", "count": 4,
            "first_seen": "2026-11-02T08:00:00+00:00", "last_seen": "2026-11-02T08:05:00+00:00",
            "ack_by": "lena.vogt", "ack_at": "2026-11-02T08:20:00+00:00", "delivered_version": 3, "version": 3,
            "clocks": {}, "transitions": [{"to": "acknowledged", "by": "lena.vogt"}]}


def _entries(k: Keyed, chain: str = "calls.direct") -> list[Path]:
    return ledger.entry_files(k.root, chain)


def _segment_of(k: Keyed, entry_path: Path) -> Path:
    return k.root / ledger.read_entry(entry_path).files[0][0]


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    rows = change(table.to_pylist())
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)


def _first_id(k: Keyed) -> str:
    return pq.read_table(_segment_of(k, _entries(k)[0])).column("event_id")[0].as_py()


def _edit(rows: list[dict], field: str, value) -> list[dict]:
    rows[0][field] = value
    return rows


def _rechain(k: Keyed, key: Ed25519PrivateKey, start: int = 1) -> None:
    """What an operator would do to hide an edit: recompute every hash from the rows and re-sign, in order."""
    prev = ledger.read_entry(_entries(k)[start - 2]).hash if start > 1 else ledger.GENESIS
    for path in _entries(k)[start - 1:]:
        entry = ledger.read_entry(path)
        rows = [r for f, _ in entry.files for r in pq.read_table(k.root / f).to_pylist()]
        records = ledger.records_text([r["event_id"] for r in rows], [digest(r) for r in rows])
        (path.parent / entry.records_file).write_text(records)
        entry = ledger.Entry(**{**entry.content(), "prev": prev, "digest": digest(records)}).sealed(key)
        path.write_text(json.dumps(entry.__dict__))
        prev = entry.hash


def test_a_changed_field_is_named(k: Keyed) -> None:
    victim = _first_id(k)
    _rewrite(_segment_of(k, _entries(k)[0]), lambda rows: _edit(rows, "decision", "allowed-after-all"))
    assert f"ledger calls.direct #1: record {victim}: changed since it was written" in k.problems()


def test_a_deleted_record_is_named(k: Keyed) -> None:
    victim = _first_id(k)
    _rewrite(_segment_of(k, _entries(k)[0]), lambda rows: rows[1:])
    assert f"ledger calls.direct #1: record {victim}: deleted" in k.problems()


def test_the_last_batch_deleted_with_its_entry_is_named(k: Keyed) -> None:
    last = _entries(k)[-1]
    for f, _ in ledger.read_entry(last).files:
        (k.root / f).unlink()
    (last.parent / ledger.read_entry(last).records_file).unlink()
    last.unlink()
    assert k.problems() == ["ledger calls.direct: truncated: head #3 was published, the store ends at #2"]


def test_an_edit_followed_by_a_consistent_rechain_is_named(k: Keyed) -> None:
    _rewrite(_segment_of(k, _entries(k)[0]), lambda rows: _edit(rows, "decision", "allowed-after-all"))
    _rechain(k, ATTACKER)
    problems = k.problems()
    assert "ledger calls.direct #1: signature does not verify: the entry was rewritten or forged without the " \
           "ledger key" in problems
    assert "ledger calls.direct: rewritten: entry #3 differs from its published head" in problems


def test_a_forged_call_with_a_new_entry_is_named(k: Keyed) -> None:
    last = ledger.read_entry(_entries(k)[-1])
    forged_file = last.files[0][0].replace("-000000000003-000000000003-", "-000000000004-000000000004-")
    shutil.copy(k.root / last.files[0][0], k.root / forged_file)
    rows = pq.read_table(k.root / forged_file).to_pylist()
    records = ledger.records_text([r["event_id"] for r in rows], [digest(r) for r in rows])
    forged = ledger.Entry(**{**last.content(), "seq": 4, "prev": last.hash, "files": [[forged_file, len(rows)]],
                             "count": len(rows), "digest": digest(records), "records_file": "forged.records"})
    ledger.commit(k.root, forged.sealed(ATTACKER), records)
    assert "ledger calls.direct #4: signature does not verify: the entry was rewritten or forged without the " \
           "ledger key" in k.problems()


def test_an_emptied_store_is_named(k: Keyed) -> None:
    for folder in ("ledger", "calls", "declared"):
        shutil.rmtree(k.root / folder)
    problems = k.problems()
    assert "ledger calls.direct: missing: head #3 was published, the store holds no such chain (emptied)" in problems
    assert "ledger declared: missing: head #2 was published, the store holds no such chain (emptied)" in problems


def test_a_moved_batch_is_named(k: Keyed) -> None:
    second = _entries(k)[1]
    second.rename(second.with_name("000000000007.json"))
    problems = k.problems()
    assert "ledger calls.direct #2: moved: stored as 000000000007.json, but the entry says #2" in problems


def test_a_forged_acknowledgement_is_named(k: Keyed) -> None:
    segment = _segment_of(k, _entries(k, "incidents.direct")[0])
    _rewrite(segment, lambda rows: _edit(rows, "acknowledged_by", "somebody.else"))
    assert "ledger incidents.direct #1: record incidents/inc-1: changed since it was written" in k.problems()


def test_an_edited_policy_is_named(k: Keyed) -> None:
    segment = _segment_of(k, _entries(k, "declared")[0])
    _rewrite(segment, lambda rows: [{**r, "document": "{}"} if r["tenant"] == "shop-berlin" else r for r in rows])
    problems = k.problems()
    assert any(p.startswith("ledger declared #1: record policies/shop-berlin/") and p.endswith("changed since it was "
               "written") for p in problems), problems


def test_incident_history_is_kept_and_the_newest_version_read(k: Keyed) -> None:
    writer = k.writer()
    writer.record_incident({**_incident(), "status": "resolved", "count": 3, "version": 4})
    con = writer.con
    assert con.execute("SELECT status, count, document->>'$.transitions[0].by' FROM incidents").fetchall() == [
        ("resolved", 4, "lena.vogt")]
    assert count(con, "SELECT count(*) FROM incident_versions") == 2
    assert k.verify().intact


def test_a_prune_verifies_as_lawful_and_removes_whole_days(k: Keyed) -> None:
    writer = k.writer()
    con = writer.con
    first_day = con.execute("SELECT min(observed_at)::DATE FROM calls").fetchall()[0][0]
    older = count(con, "SELECT count(*) FROM calls WHERE observed_at::DATE < ?", first_day + timedelta(days=1))
    planned = prune(writer, "shop-berlin", first_day + timedelta(days=1), basis="policy 2026.1: 90 days", by="dpo",
                    dry_run=True)
    assert planned.records == older and (k.root / planned.files[0]).exists()
    done = prune(writer, "shop-berlin", first_day + timedelta(days=1), basis="policy 2026.1: 90 days", by="dpo")
    assert done.records == older and not (k.root / done.files[0]).exists()
    assert count(writer.con, "SELECT count(*) FROM calls") == 300 - older
    report = k.verify()
    assert report.intact, [str(p) for p in report.problems]
    assert report.lawful and "retention removed" in report.lawful[0] and "by dpo" in report.lawful[0]


def test_an_erasure_verifies_as_lawful_and_an_unlisted_deletion_does_not(k: Keyed) -> None:
    writer = k.writer()
    ids = [r[0] for r in writer.con.execute("SELECT event_id::VARCHAR FROM calls ORDER BY event_id LIMIT 3").fetchall()]
    assert erase(writer, ids, basis="request 2026-17", by="dpo", dry_run=True).records == 3
    assert count(writer.con, "SELECT count(*) FROM calls") == 300
    done = erase(writer, ids, basis="request 2026-17", by="dpo")
    assert done.records == 3 and done.entry is not None
    assert count(writer.con, "SELECT count(*) FROM calls WHERE event_id::VARCHAR IN ?", ids) == 0
    assert count(writer.con, "SELECT count(*) FROM calls") == 297
    report = k.verify()
    assert report.intact and "erasure" in report.lawful[0], [str(p) for p in report.problems]
    # a record dropped from the rewritten segment that the tombstone does not name is tampering
    rewritten = k.root / done.entry.files[0][0]
    dropped = pq.read_table(rewritten).column("event_id")[0].as_py()
    _rewrite(rewritten, lambda rows: rows[1:])
    assert f"ledger tombstones #1: record {dropped}: deleted" in k.problems()


def test_compaction_merges_segments_keeps_every_record_and_verifies(k: Keyed) -> None:
    from stream.store.compaction import compact

    writer = k.writer()
    before = writer.con.execute("SELECT event_id, decision FROM calls ORDER BY event_id").fetchall()
    files_before = len(list((k.root / "calls").rglob("*.parquet")))
    done = compact(writer, min_files=2, grace=timedelta(0))
    assert done.folders and done.replaced > done.folders
    assert writer.con.execute("SELECT event_id, decision FROM calls ORDER BY event_id").fetchall() == before
    assert k.verify().intact
    assert compact(writer, min_files=2, grace=timedelta(0)).removed == done.replaced  # after their grace
    assert len(list((k.root / "calls").rglob("*.parquet"))) == files_before - done.replaced + done.folders
    report = k.verify()
    assert report.intact and not report.lawful, [str(p) for p in report.problems]
    merged = k.root / done.entries[0].files[0][0]
    lost = pq.read_table(merged).column("event_id")[0].as_py()
    _rewrite(merged, lambda rows: rows[1:])
    assert f"ledger compactions #1: record {lost}: deleted" in k.problems()
