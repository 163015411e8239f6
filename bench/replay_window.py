"""How fast ``douane replay`` reads and judges a window: from douane.ai-calls, and from the store.

A private broker; N synthetic calls published and stored under the example policy; the whole
window replayed under the stricter policy from each source. Prints calls per second.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.common import private_broker
from collector import EventPublisher, TrafficGenerator
from collector.synthetic import Outage
from stream import PolicySet
from stream.replay import ReplayConfig, Window, replay
from stream.store import StoreWriter

EXAMPLES = Path(__file__).parents[1] / "deploy" / "examples"


def main(n: int) -> None:
    generator = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=3)
    start = generator.clock
    events = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=3,
                              outages=(Outage("openai", start, start + timedelta(hours=1)),)).events(n)
    then = PolicySet.load([EXAMPLES])
    now = PolicySet.load([EXAMPLES / "replay" / "woocommerce-shop.stricter.policy.yaml",
                          EXAMPLES / "magento-health-shop.policy.yaml"])
    window = Window(events[0].observed_at, events[-1].observed_at + timedelta(seconds=1))
    with private_broker() as (bootstrap, _), tempfile.TemporaryDirectory() as folder:
        store = Path(folder) / "douane.duckdb"
        writer = StoreWriter(store)
        writer.record_policies(then.tenants())
        for i in range(0, n, 5000):
            writer.write([then.audit(e) for e in events[i:i + 5000]])
        writer.close()
        with EventPublisher(bootstrap) as publisher:
            for event in events:
                publisher.publish(event)
            publisher.flush(timeout=120)
        for source in ("kafka", "store"):
            started = time.perf_counter()
            report = replay(ReplayConfig(window, now, bootstrap if source == "kafka" else None, store, source))
            elapsed = time.perf_counter() - started
            added = sum(r.added for r in report.rules)
            print(f"replay of {report.totals.calls:,} calls from {source:<5}: {elapsed:6.2f} s "
                  f"({report.totals.calls / elapsed:,.0f} calls/s); {added} findings added under the stricter policy")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 50_000)
