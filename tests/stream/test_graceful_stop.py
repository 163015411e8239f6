"""A graceful stop (SIGTERM, a rolling restart) in the middle of work loses none of it.

Faust acknowledges the event a stream is on when the stream closes, done or not; so work
in flight when the worker stops must either finish before that, or be offered again.
"""

from __future__ import annotations

import asyncio

import pytest

from stream import EmbeddedWorker, PolicySet, StreamApp, StreamConfig
from stream.stages import Stage
from tests.rules.conftest import call
from tests.stream.conftest import EXAMPLE_POLICY, publish, until

pytestmark = pytest.mark.kafka
POLICIES = PolicySet([], default=EXAMPLE_POLICY)


class SlowFirstBatch(Stage):
    """Records the event ids it finished; the first batch takes a while, so a stop lands in the middle of it."""

    name = "slow"

    def __init__(self, finished: set[str]) -> None:
        self.finished = finished
        self.entered = asyncio.Event()
        self.batches = 0

    async def process(self, batch):
        self.batches += 1
        if self.batches == 1:
            self.entered.set()
            await asyncio.sleep(8.0)
        self.finished.update(str(item.event.event_id) for item in batch)
        return []


async def test_a_batch_in_flight_at_a_graceful_stop_is_finished_or_offered_again(kafka_bootstrap, unique) -> None:
    events = [call("api.openai.com", tenant=f"shop-{unique}") for _ in range(40)]
    wanted = {str(e.event_id) for e in events}
    finished: set[str] = set()
    config = StreamConfig(kafka_bootstrap, app_id=f"graceful-{unique}", start_from="latest", batch_wait=0.05)
    first = SlowFirstBatch(finished)
    async with EmbeddedWorker(StreamApp(config, POLICIES, [first]).app) as worker:
        await worker.wait_ready()
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await asyncio.wait_for(first.entered.wait(), 30)
    # the worker stopped while its first batch slept: that batch was finished before the stop returned
    assert first.finished, "the batch in flight at the stop was dropped half-done (and acked by Faust)"
    # a new worker takes over the group: whatever the first did not finish is offered again
    second = SlowFirstBatch(finished)
    second.batches = 1  # no more sleeping
    async with EmbeddedWorker(StreamApp(config, POLICIES, [second]).app) as worker:
        await worker.wait_ready()
        await until(lambda: wanted <= finished, timeout=30, what="every event of the interrupted batch")
