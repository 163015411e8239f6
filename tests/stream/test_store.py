"""The DuckDB store on real files: idempotent batches, the ledger, and schema versions."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from collector import TrafficGenerator
from stream import PolicySet
from stream.store import LATEST, StoreError, StoreWriter, open_store, verify
from stream.store.schema import upgrade
from tests.stream.conftest import EXAMPLES

POLICIES = PolicySet.load([EXAMPLES])


def audited(n: int, seed: int = 1) -> list:
    return [POLICIES.audit(e) for e in TrafficGenerator(("shop-berlin", "shop-lyon"), seed=seed).events(n)]


@pytest.fixture
def store(tmp_path: Path) -> StoreWriter:
    writer = StoreWriter(tmp_path / "s.duckdb")
    yield writer
    writer.close()


def count(con, sql: str) -> int:
    return con.execute(sql).fetchall()[0][0]


def test_rows_and_findings_match_the_verdicts(store: StoreWriter) -> None:
    items = audited(500)
    result = store.write(items)
    assert (result.written, result.duplicates) == (500, 0)
    assert count(store.con, "SELECT count(*) FROM calls") == 500
    assert count(store.con, "SELECT count(*) FROM findings") == sum(len(i.verdict.findings) for i in items)
    unauthorised = sum(i.verdict.decision.value == "unauthorised" for i in items)
    assert count(store.con, "SELECT count(*) FROM calls WHERE decision = 'unauthorised'") == unauthorised


def test_the_store_holds_no_content_only_categories_and_hashes(store: StoreWriter) -> None:
    store.write(audited(50))
    columns = {r[0] for r in store.con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'calls'").fetchall()}
    assert not columns & {"prompt", "messages", "content", "completion", "text", "body"}
    hashes = [r[0] for r in store.con.execute("SELECT content_hash FROM calls").fetchall()]
    assert all(h.startswith("hmac-sha256:") for h in hashes)


def test_redelivered_events_never_duplicate(store: StoreWriter) -> None:
    items = audited(300)
    store.write(items[:200])
    again = store.write(items[100:300])
    assert (again.written, again.duplicates) == (100, 100)
    assert store.write(items).batch_id is None, "nothing new, no ledger entry"
    assert store.write(items[:10] + items[:10]).written == 0
    assert count(store.con, "SELECT count(*) FROM calls") == 300
    assert count(store.con, "SELECT count(DISTINCT event_id) FROM findings") <= 300
    assert verify(store.con).intact


def test_duplicates_inside_one_batch_are_written_once(store: StoreWriter) -> None:
    items = audited(20)
    assert store.write(items + items[:5]).written == 20


def test_transfers_aggregate_observed_destinations(store: StoreWriter) -> None:
    items = audited(400)
    store.write(items[:200])
    store.write(items[200:])
    calls_to_cn = sum(1 for i in items if "CN" in i.locations and (i.event.personal_data.categories
                                                                    or i.event.personal_data.special_category))
    assert count(store.con, "SELECT coalesce(sum(calls), 0) FROM transfers WHERE destination = 'CN'") == calls_to_cn


def test_policies_and_registry_are_recorded(store: StoreWriter) -> None:
    store.record_policies(POLICIES.tenants())
    store.record_policies(POLICIES.tenants())
    assert count(store.con, "SELECT count(DISTINCT tenant) FROM policies") == 4
    assert count(store.con, "SELECT count(*) FROM processing_activities WHERE tenant = 'shop-berlin'") == 4
    store.record_registry(POLICIES.registry)
    assert count(store.con, "SELECT count(*) FROM providers") == len(POLICIES.registry.providers)


def test_the_ledger_is_intact_after_honest_writes(store: StoreWriter) -> None:
    items = audited(600)
    for i in range(0, 600, 150):
        store.write(items[i:i + 150])
    report = verify(store.con)
    assert report.intact and (report.batches, report.records) == (4, 600)
    assert report.head == store.head


TAMPERING = [
    ("UPDATE calls SET decision = 'allowed' WHERE event_id = '{id}'", "record {id}: changed since it was written"),
    ("DELETE FROM calls WHERE event_id = '{id}'", "record {id}: deleted"),
    # a finding's text is kept once for every call that has it: editing it changes all of those records
    ("UPDATE finding_texts SET explanation = 'fine' WHERE text_id IN "
     "(SELECT text_id FROM finding_rows WHERE event_id = '{id}')", "record {id}: changed since it was written"),
    ("DELETE FROM finding_rows WHERE event_id = '{id}'", "record {id}: changed since it was written"),
    ("INSERT INTO finding_rows SELECT * FROM finding_rows WHERE event_id = '{id}' LIMIT 1",
     "record {id}: changed since it was written"),
    ("UPDATE calls SET locations = ['DE'] WHERE event_id = '{id}'", "record {id}: changed since it was written"),
    ("UPDATE ledger SET row_count = row_count - 1 WHERE batch_id = 1", "batch 1: ledger entry altered"),
    ("DELETE FROM ledger WHERE batch_id = 1", "batch 2: ledger chain broken"),
]


@pytest.mark.parametrize(("sql", "expected"), TAMPERING)
def test_tampering_is_found_and_named(store: StoreWriter, sql: str, expected: str) -> None:
    items = audited(200)
    store.write(items[:100])
    store.write(items[100:])
    victim = next(i for i in items[:100] if i.verdict.findings and i.verdict.decision.value == "unauthorised")
    event_id = str(victim.event.event_id)
    store.con.execute(sql.format(id=event_id))
    problems = [str(p) for p in verify(store.con).problems]
    assert any(expected.format(id=event_id) in p for p in problems), problems


def test_a_row_written_outside_the_sink_is_named(store: StoreWriter) -> None:
    store.write(audited(10))
    store.con.execute("INSERT INTO calls SELECT * REPLACE ('01a00000-0000-7000-8000-000000000001'::UUID AS event_id) "
                      "FROM calls LIMIT 1")
    problems = [str(p) for p in verify(store.con).problems]
    assert problems == ["store: record 01a00000-0000-7000-8000-000000000001: is in the store but in no ledger "
                        "entry (written outside the sink)"]


def test_a_reopened_store_continues_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "s.duckdb"
    items = audited(100)
    first = StoreWriter(path)
    first.write(items[:50])
    first.close()
    second = StoreWriter(path)
    assert second.write(items).written == 50
    assert verify(second.con).intact and second.total == 100
    second.close()


AS_VERSION_1 = """
    CREATE TABLE findings_v1 (event_id UUID NOT NULL, rule_id VARCHAR NOT NULL, severity VARCHAR NOT NULL,
        articles VARCHAR[] NOT NULL, title VARCHAR NOT NULL, explanation VARCHAR NOT NULL,
        remediation VARCHAR NOT NULL, tenant VARCHAR NOT NULL, observed_at TIMESTAMPTZ NOT NULL,
        batch_id BIGINT NOT NULL, PRIMARY KEY (event_id, rule_id));
    INSERT INTO findings_v1 SELECT * FROM findings;
    DROP VIEW findings; DROP TABLE finding_rows; DROP TABLE finding_texts;
    ALTER TABLE findings_v1 RENAME TO findings;
    CREATE TABLE ledger_v1 (batch_id BIGINT PRIMARY KEY, written_at TIMESTAMPTZ NOT NULL, row_count INTEGER NOT NULL,
        event_ids VARCHAR[] NOT NULL, row_hashes VARCHAR[] NOT NULL, digest VARCHAR NOT NULL,
        prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL);
    INSERT INTO ledger_v1 SELECT batch_id, written_at, row_count,
        list_transform(string_split(rtrim(records, chr(10)), chr(10)), lambda r: split_part(r, ':', 1)),
        list_transform(string_split(rtrim(records, chr(10)), chr(10)), lambda r: split_part(r, ':', 2)),
        digest, prev_hash, hash FROM ledger;
    DROP TABLE ledger; ALTER TABLE ledger_v1 RENAME TO ledger;
    DELETE FROM schema_version WHERE version > 1;
"""
"""Turns a store back into the shape schema version 1 wrote (findings with their texts, ledger lists)."""


def test_a_version_1_store_is_migrated_and_still_verifies(tmp_path: Path) -> None:
    path = tmp_path / "v1.duckdb"
    items = audited(300)
    writer = StoreWriter(path)
    writer.write(items[:150])
    writer.write(items[150:])
    findings_before = count(writer.con, "SELECT count(*) FROM findings")
    texts = count(writer.con, "SELECT count(*) FROM (SELECT DISTINCT rule_id, severity, articles, title, explanation, "
                              "remediation FROM findings)")
    head = writer.head
    writer.con.execute(AS_VERSION_1)
    assert count(writer.con, "SELECT max(version) FROM schema_version") == 1
    writer.close()

    migrated = StoreWriter(path)
    assert count(migrated.con, "SELECT max(version) FROM schema_version") == LATEST
    assert count(migrated.con, "SELECT count(*) FROM findings") == findings_before
    assert count(migrated.con, "SELECT count(*) FROM finding_texts") == texts < findings_before / 5
    report = verify(migrated.con)
    assert report.intact and (report.batches, report.records, report.head) == (2, 300, head)
    assert migrated.write(audited(50, seed=2)).written == 50
    assert verify(migrated.con).intact
    migrated.close()


def test_schema_versions(tmp_path: Path) -> None:
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description VARCHAR, "
                "applied_at TIMESTAMPTZ DEFAULT now())")
    con.close()
    with pytest.raises(StoreError, match=f"schema version 0; this Douane reads version {LATEST}.*douane store migrate"):
        open_store(path, read_only=True)
    assert upgrade(path) == [m for m in range(1, LATEST + 1)]
    open_store(path, read_only=True).close()
    con = duckdb.connect(str(path))
    con.execute("INSERT INTO schema_version (version, description) VALUES (99, 'from the future')")
    con.close()
    with pytest.raises(StoreError, match="newer than this Douane"):
        open_store(path)


def test_a_second_writer_is_refused_with_the_reason(store: StoreWriter) -> None:
    import subprocess
    import sys

    code = ("from stream.store import StoreWriter, StoreError\n"
            f"try:\n    StoreWriter({str(store.path)!r})\nexcept StoreError as e:\n    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60).stdout
    assert "DuckDB allows one writer per file" in out


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at .*run the pipeline first"):
        open_store(tmp_path / "none.duckdb", read_only=True)
