"""What the benchmarks share: a private local broker, and percentiles."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from pathlib import Path

from deploy.kafka import LocalBroker, ensure_topics, fetch_jars
from douane.settings import Settings


@contextlib.contextmanager
def private_broker() -> Iterator[tuple[str, Path]]:
    """A broker in a temporary folder (its topics hold only this run's traffic); yields (bootstrap, folder)."""
    libs = fetch_jars(Settings().kafka_home.absolute() / "libs")
    with tempfile.TemporaryDirectory() as home:
        broker = LocalBroker(Path(home) / "kafka", port=0, controller_port=0, libs=libs)
        bootstrap = broker.up().bootstrap
        ensure_topics(bootstrap, Settings().topic_partitions)
        try:
            yield bootstrap, Path(home)
        finally:
            broker.down()


def pct(values: list[float], q: float) -> float:
    """The ``q`` quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
