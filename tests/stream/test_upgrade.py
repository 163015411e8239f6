"""Upgrading from the Faust-agent worker to the judge: calls the old worker judged are not judged again."""

from __future__ import annotations

import asyncio

import pytest
from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from douane.contract import TOPICS
from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.stages import Stage
from tests.rules.conftest import call
from tests.stream.conftest import EXAMPLE_POLICY, publish, until

pytestmark = pytest.mark.kafka
POLICIES = PolicySet([], default=EXAMPLE_POLICY)


class Seen(Stage):
    """Records the ids of the calls it was given."""

    name = "seen"

    def __init__(self) -> None:
        self.ids: set[str] = set()

    async def process(self, batch):
        self.ids.update(str(item.event.event_id) for item in batch)
        return []


def _old_worker_read_everything(bootstrap: str, group: str) -> None:
    """What a pre-judge worker (a Faust agent in the group named by the app id) leaves behind: its position."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    parts = [TopicPartition(TOPICS.ai_calls.name, p) for p in consumer.partitions_for_topic(TOPICS.ai_calls.name)]
    ends = consumer.end_offsets(parts)
    consumer.commit({tp: OffsetAndMetadata(offset, "", -1) for tp, offset in ends.items()})
    consumer.close()


async def test_the_judge_starts_where_the_old_worker_stopped(kafka_bootstrap, unique) -> None:
    tenant = f"shop-{unique}"
    judged_before = [call("api.openai.com", tenant=tenant) for _ in range(20)]
    new = [call("api.openai.com", tenant=tenant) for _ in range(5)]
    await asyncio.to_thread(publish, kafka_bootstrap, judged_before)
    app_id = f"upgrade-{unique}"
    await asyncio.to_thread(_old_worker_read_everything, kafka_bootstrap, app_id)
    seen = Seen()
    config = StreamConfig(kafka_bootstrap, app_id=app_id, start_from="earliest", batch_wait=0.05)
    async with EmbeddedWorker(StreamApp(config, POLICIES, [seen]).app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, new)
        await until(lambda: {str(e.event_id) for e in new} <= seen.ids, timeout=60, what="the new calls")
    again = {str(e.event_id) for e in judged_before} & seen.ids
    assert not again, f"{len(again)} calls the old worker had judged were judged again"
