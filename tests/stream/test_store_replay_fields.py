"""Calls rebuilt from the store for ``douane replay --source store`` keep what the rules read.

Before: the store kept no region hints, scan state or consent reference, so a call whose
verdict depended on them was judged differently when replayed from the store than from Kafka.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from douane.contract import AICallEvent
from douane.contract.events import HintSource, RegionHint, ScanState
from stream.replay.store import StoreReader
from stream.replay.window import Window
from stream.store import open_store
from tests.stream.store_helpers import POLICIES, audited, keyed


def _varied(events: list[AICallEvent]) -> list[AICallEvent]:
    """Every third call unscanned, every fifth with a consent reference, every seventh with region hints."""
    varied = []
    for n, event in enumerate(events):
        update: dict = {}
        if n % 3 == 0:
            update["personal_data"] = event.personal_data.model_copy(update={"scan": ScanState.NOT_OBSERVED})
        if n % 5 == 0:
            update["consent_ref"] = f"consent-{n:05d}"
        if n % 7 == 0:
            hints = (RegionHint(source=HintSource.HEADER, key="x-region", value="eu-west-1"),
                     RegionHint(source=HintSource.MODEL_PREFIX, key="model", value="eu."))
            update["destination"] = event.destination.model_copy(update={"region_hints": hints})
        varied.append(event.model_copy(update=update))
    return varied


def test_calls_from_the_store_keep_hints_scan_and_consent_and_judge_the_same(tmp_path: Path) -> None:
    events = _varied([item.event for item in audited(210, tenants=("shop-berlin",))])
    items = [POLICIES.audit(e) for e in events]
    k = keyed(tmp_path)
    k.writer().write(items)
    assert k.verify().intact
    stamps = [e.observed_at for e in events]
    window = Window(min(stamps), max(stamps) + timedelta(seconds=1), "shop-berlin")
    rebuilt, _ = StoreReader(k.root).events_and_verdicts(window)
    by_id = {str(e.event_id): e for e in rebuilt}
    assert len(by_id) == len(events)
    for original, item in zip(events, items):
        again = by_id[str(original.event_id)]
        assert again.personal_data.scan == original.personal_data.scan
        assert again.consent_ref == original.consent_ref
        assert again.destination.region_hints == original.destination.region_hints
        verdict = POLICIES.audit(again).verdict
        assert (verdict.decision, verdict.basis) == (item.verdict.decision, item.verdict.basis)
    con = open_store(k.root)
    assert con.execute("SELECT count(*) FROM calls WHERE scan = 'not_observed'").fetchall()[0][0] == 70
    assert con.execute("SELECT count(*) FROM calls WHERE consent_ref IS NOT NULL").fetchall()[0][0] == 42


def test_segments_written_before_these_columns_read_them_as_null(tmp_path: Path) -> None:
    from stream.store import StoreBatch
    from stream.store.canonical import digest
    from stream.store.rows import CALL_COLUMNS, SEGMENT_COLUMNS

    k = keyed(tmp_path)
    writer = k.writer()
    items = audited(60, tenants=("shop-berlin",))
    new = StoreBatch.of(items)
    old_table = new.calls.drop_columns([name for name, _ in SEGMENT_COLUMNS[len(CALL_COLUMNS):]])
    old = StoreBatch(old_table, [digest(r) for r in old_table.to_pylist()], new.partitions, new.offsets, 60)
    writer.write_batch(old)  # as the store was written before the columns existed
    only_old = open_store(k.root)  # no segment has the columns yet: the view still has them
    assert only_old.execute("SELECT count(*), count(subject_ref), count(consent_ref) FROM calls").fetchall() == [
        (60, 0, 0)]
    writer.write(audited(30, seed=9, tenants=("shop-berlin",)))
    con = open_store(k.root)
    assert con.execute("SELECT count(*), count(scan), count(region_hints) FROM calls").fetchall() == [(90, 30, 30)]
    assert k.verify().intact
    stamps = [i.event.observed_at for i in items]
    rebuilt, _ = StoreReader(k.root).events_and_verdicts(
        Window(min(stamps), max(stamps) + timedelta(seconds=1), "shop-berlin"))
    assert {e.personal_data.scan for e in rebuilt if str(e.event_id) in {str(i.event.event_id) for i in items}} == {
        ScanState.COMPLETE}
