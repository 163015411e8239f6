"""A report and ``ledger verify`` while a sink writes on the real broker: neither waits, both see one snapshot."""

from __future__ import annotations

import asyncio
import threading
import uuid
from datetime import date
from pathlib import Path

from collector import TrafficGenerator
from reports import build_article30
from stream import SinkConfig, StoreSink
from stream.store import chain as ledger
from stream.store import open_store, snapshot, verify
from stream import PolicySet
from stream.store.heads import head_file_lines, kafka_head_lines
from tests.stream.conftest import EXAMPLE_POLICY, publish, until
from tests.stream.store_helpers import POLICIES, count, keyed


def _report_and_verify(root: Path, tenant: str, k) -> dict:
    con = open_store(root)
    report = build_article30(con, tenant, date(2026, 1, 1), date(2027, 12, 31))
    return {
        "report_calls": report.calls_total,
        "snapshot_calls": count(con, "SELECT count(*) FROM calls WHERE tenant = ?", tenant),
        "snapshot_entries": count(con, "SELECT count(*) FROM ledger"),
        "ledger_batches": report.ledger_batches,
        "verify": verify(con, k.key.public_key(), head_file_lines(k.heads)),
    }


async def test_a_report_and_verify_run_while_the_sink_writes(kafka_bootstrap: str, tmp_path: Path) -> None:
    tenant = f"shop-{uuid.uuid4().hex[:6]}"  # governed by the default policy, recorded for it: a report can be built
    events = TrafficGenerator((tenant,), seed=21).events(12_000)
    k = keyed(tmp_path)
    writer = k.writer()
    policies = PolicySet([], default=EXAMPLE_POLICY)
    writer.record_policies([(tenant, EXAMPLE_POLICY)])
    writer.record_registry(POLICIES.registry)
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"concurrent-{tenant}", start_from="latest", batch_size=400),
                     policies, writer)
    running = asyncio.create_task(sink.run())
    await asyncio.wait_for(sink.ready.wait(), 60)
    feeding = threading.Thread(target=lambda: [publish(kafka_bootstrap, events[i:i + 1000])
                                               for i in range(0, len(events), 1000)])
    feeding.start()
    await until(lambda: sink.stored >= 2000, timeout=90, what="2,000 stored calls")
    seen = await asyncio.to_thread(_report_and_verify, writer.root, tenant, k)
    still_writing = sink.stored < len(events)
    await until(lambda: sink.stored >= len(events), timeout=120, what="every call stored")
    feeding.join()
    sink.stop()
    await running

    assert still_writing, "the sink had finished before the report: nothing was shown"
    assert 2000 <= seen["snapshot_calls"] < len(events)
    assert seen["report_calls"] == seen["snapshot_calls"]
    assert seen["ledger_batches"] == seen["snapshot_entries"]
    assert seen["verify"].intact, [str(p) for p in seen["verify"].problems]
    assert count(open_store(writer.root), "SELECT count(*) FROM calls WHERE tenant = ?", tenant) == len(events)
    assert verify(writer.root, k.key.public_key(), head_file_lines(k.heads)).intact
    # the heads went to the compacted topic too: Kafka alone holds a truncated store to account
    from_kafka = kafka_head_lines(kafka_bootstrap)
    report = verify(writer.root, k.key.public_key(), from_kafka)
    assert report.intact and report.heads_checked >= 2 and report.records == len(events)
    chain = max(snapshot(writer.root).entries.items(), key=lambda kv: len(kv[1]) if kv[0].startswith("calls.") else 0)
    last = ledger.entry_files(writer.root, chain[0])[-1]
    last.unlink()
    problems = [str(p) for p in verify(writer.root, k.key.public_key(), from_kafka).problems]
    assert f"ledger {chain[0]}: truncated: head #{len(chain[1])} was published, the store ends at " \
           f"#{len(chain[1]) - 1}" in problems
