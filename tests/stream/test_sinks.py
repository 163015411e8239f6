"""Several sinks on the real broker, one store: each event stored once, even when a sink is SIGKILLed."""

from __future__ import annotations

import itertools
import signal
import time
from pathlib import Path

from aiokafka.partitioner import DefaultPartitioner

from collector import TrafficGenerator
from deploy.kafka import LocalBroker
from douane.settings import Settings
from stream.store import open_store, verify
from stream.store.heads import head_file_lines
from stream.store.signing import load_public
from tests.stream.conftest import publish
from tests.stream.test_pipeline import _Worker


def _tenants_on_every_partition(unique: str, each: int = 2) -> tuple[str, ...]:
    """Tenant names whose keys the partitioner spreads ``each`` to a partition: every partition's chain gets calls.

    Twelve random names miss one of six partitions more often than not; with no other test's
    traffic on the topic, that chain had no head to check."""
    partitions = list(range(Settings().topic_partitions))
    partitioner, chosen = DefaultPartitioner(), {p: [] for p in partitions}
    for n in itertools.count():
        name = f"shop-{unique}-{n}"
        bucket = chosen[partitioner(name.encode(), partitions, partitions)]
        if len(bucket) < each:
            bucket.append(name)
        if all(len(b) == each for b in chosen.values()):
            return tuple(sorted(name for b in chosen.values() for name in b))


def _stored(store: Path, tenants: str) -> int:
    try:
        return open_store(store).execute("SELECT count(*) FROM calls WHERE tenant LIKE ?", [tenants]).fetchall()[0][0]
    except Exception:  # noqa: BLE001 - no store yet
        return 0


def test_two_sinks_one_killed_and_restarted_store_every_event_once(broker: LocalBroker, unique: str,
                                                                   tmp_path: Path) -> None:
    # A broker of its own: on the suite's broker a new group reads every earlier test's calls first, and
    # how long that takes depended on where in the suite this test ran.
    kafka_bootstrap = broker.status().bootstrap
    tenants = _tenants_on_every_partition(unique)  # keyed by tenant: two on each partition
    events = TrafficGenerator(tenants, seed=11).events(6000)
    store, group = tmp_path / "store", f"sinks-{unique}"
    first, second = _Worker(kafka_bootstrap, store, group, tmp_path), _Worker(kafka_bootstrap, store, group, tmp_path)
    workers = [first, second]
    try:
        for sink in workers:
            sink.wait_ready()  # started side by side, each waits for its partitions before the clock runs
        # Half before the kill, half after: a quick sink could otherwise store all of them before the
        # test reads its third "stored batch" line, and the others would have nothing left to write.
        publish(kafka_bootstrap, events[:3000])
        first.wait_batches(3)
        first.stop(signal.SIGKILL)
        assert first.proc.returncode == -signal.SIGKILL
        workers.append(_Worker(kafka_bootstrap, store, group, tmp_path))  # restarted
        workers[-1].wait_ready()
        publish(kafka_bootstrap, events[3000:])
        deadline = time.monotonic() + 180
        while _stored(store, f"shop-{unique}-%") < len(events) and time.monotonic() < deadline:
            time.sleep(1)
        time.sleep(3)  # anything still in flight would be a duplicate: let it land before counting
    finally:
        for sink in workers:
            if sink.proc.poll() is None:
                sink.stop(signal.SIGTERM)

    con = open_store(store)
    ours = f"shop-{unique}-%"
    per_tenant = dict(con.execute("SELECT tenant, count(*) FROM calls WHERE tenant LIKE ? GROUP BY tenant",
                                  [ours]).fetchall())
    assert con.execute("SELECT count(*), count(DISTINCT event_id) FROM calls WHERE tenant LIKE ?",
                       [ours]).fetchall() == [(6000, 6000)]
    assert con.execute("SELECT count(*) - count(DISTINCT event_id) FROM calls").fetchall() == [(0,)]
    assert per_tenant == {t: sum(e.tenant == t for e in events) for t in tenants}
    writers = {r[0] for r in con.execute("SELECT DISTINCT regexp_extract(filename, '-([0-9a-f]{8})\\.parquet$', 1) "
                                         "FROM call_segments").fetchall()}
    assert len(writers) >= 2, "the partitions were shared between the sinks"
    report = verify(store, load_public(tmp_path / "keys" / "ledger.ed25519"),
                    head_file_lines(tmp_path / "ledger-heads.jsonl"))
    assert report.intact, [str(p) for p in report.problems]
    assert report.heads_checked >= 6
