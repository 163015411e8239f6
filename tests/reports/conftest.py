"""A store filled by the real sink: three days of synthetic shop traffic, an OpenAI lockout on the
second day, and the NIS2 incident the stream worker opens for it (published as the worker does)."""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, TypeVar

import pytest
from kafka import KafkaProducer

from collector import TrafficGenerator
from collector.synthetic import Outage
from douane.contract import TOPICS
from stream import PolicySet, SinkConfig, StoreSink
from stream.alerts import incidents as inc
from stream.store import StoreWriter, open_store
from tests.stream.conftest import EXAMPLES, publish, until

OUTAGE_START = datetime(2026, 11, 3, 8, 5, tzinfo=timezone.utc)
T = TypeVar("T")


def built(path: Path, build: Callable[..., T], *args: object) -> T:
    """What ``build`` makes from the store at ``path``, opened read-only for it and closed after."""
    con = open_store(path, read_only=True)
    try:
        return build(con, *args)
    finally:
        con.close()


@dataclass
class Evidence:
    """The store, the tenant, every event audited as the sink did, and the incident's id."""

    path: Path
    tenant: str
    audited: list
    incident_id: str


def _traffic(tenant: str) -> list:
    outage = Outage("openai", OUTAGE_START, OUTAGE_START + timedelta(minutes=12))
    days = []
    for offset, seed in enumerate((31, 32, 33)):
        start = datetime(2026, 11, 2 + offset, 8, 0, tzinfo=timezone.utc)
        days += TrafficGenerator((tenant,), seed=seed, start=start, outages=(outage,)).events(400)
    return days


def _incident(tenant: str, failures: list) -> dict:
    """What the stream worker's desk does: open at the threshold, count on, get acknowledged."""
    state = inc.open_nis2(tenant, "openai", {"lockout": 3}, 15, failures[2].observed_at)
    for event in failures[3:]:
        state = inc.record_signal(state, event.observed_at)
    return inc.acknowledged(state, "lena.vogt", failures[2].observed_at + timedelta(minutes=20))


@pytest.fixture(scope="session")
def evidence(kafka_bootstrap: str, tmp_path_factory) -> Evidence:
    tenant = "shop-berlin"
    events = _traffic(tenant)
    failures = [e for e in events if e.outcome.error_class is not None]
    state = _incident(tenant, failures)
    path = tmp_path_factory.mktemp("evidence") / "store.duckdb"
    policies = PolicySet.load([EXAMPLES])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"evidence-{uuid.uuid4().hex[:8]}", start_from="latest"),
                     policies, writer)

    def publish_incident() -> None:
        producer = KafkaProducer(bootstrap_servers=kafka_bootstrap)
        producer.send(TOPICS.incidents.name, key=state["id"].encode(),
                      value=json.dumps({"type": "state", "state": state}).encode()).get(timeout=30)
        producer.close()

    async def fill() -> None:
        running = asyncio.create_task(sink.run())
        await asyncio.wait_for(sink.ready.wait(), 60)
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await asyncio.to_thread(publish_incident)
        await until(lambda: sink.stored >= len(events), timeout=300, what=f"{len(events)} stored calls")
        await until(lambda: _has_incident(writer, state["id"]), timeout=30, what="the incident row")
        sink.stop()
        await running

    asyncio.run(fill())
    writer.close()
    return Evidence(path, tenant, [policies.audit(e) for e in events], state["id"])


def _has_incident(writer: StoreWriter, ident: str) -> bool:
    reader = writer.con.cursor()  # a cursor of its own: the sink's thread keeps using the connection
    try:
        return bool(reader.execute("SELECT count(*) FROM incidents WHERE incident_id = ?", [ident]).fetchall()[0][0])
    finally:
        reader.close()
