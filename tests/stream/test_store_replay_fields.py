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
