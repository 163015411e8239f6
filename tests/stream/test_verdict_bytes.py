"""VerdictBytes writes exactly what pydantic's encode writes, for every verdict the example traffic gets."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from collector import TrafficGenerator
from douane.contract import encode
from douane.contract.fast import read_event
from stream import PolicySet
from stream.verdict_bytes import VerdictBytes

from .conftest import EXAMPLES

TENANTS = ("shop-berlin", "shop-lyon", "pharma-lyon", "kaffee-berlin")


@pytest.fixture(scope="module")
def policies() -> PolicySet:
    return PolicySet.load([EXAMPLES])


def test_equal_to_pydantic_for_the_example_traffic_of_three_shops(policies: PolicySet) -> None:
    fast = VerdictBytes()
    verdicts = [policies.audit(read_event(encode(e))).verdict
                for e in TrafficGenerator(TENANTS, seed=11).events(3000)]
    assert len({v.findings for v in verdicts}) > 5  # many distinct part sets, each used many times
    for verdict in verdicts:
        assert fast(verdict) == encode(verdict)


@pytest.mark.parametrize("at", [
    datetime(2026, 11, 2, 8, 0, 2, tzinfo=timezone.utc),  # no microseconds: pydantic writes none
    datetime(2026, 11, 2, 8, 0, 2, 1, tzinfo=timezone.utc),
    datetime(2026, 11, 2, 9, 0, 2, 500000, tzinfo=timezone(timedelta(hours=1))),  # an offset: pydantic's way
])
def test_equal_to_pydantic_whatever_the_time(policies: PolicySet, at: datetime) -> None:
    event = TrafficGenerator(TENANTS, seed=3).events(1)[0].model_copy(update={"observed_at": at})
    verdict = policies.audit(event).verdict
    fast = VerdictBytes()
    assert fast(verdict) == encode(verdict)
    assert fast(verdict) == encode(verdict)  # from the memo this time


def test_a_verdict_with_other_parts_is_not_spliced_into_a_remembered_one(policies: PolicySet) -> None:
    events = TrafficGenerator(TENANTS, seed=5).events(400)
    verdicts = [policies.audit(e).verdict for e in events]
    fast = VerdictBytes()
    first = verdicts[0]
    fast(first)
    # Same id, tenant and time as the first, but the parts of every other verdict: a memo keyed loosely
    # (on the event fields, or on ids of parts that died) would hand back the first one's bytes.
    for verdict in verdicts[1:]:
        twin = verdict.model_copy(update={"event_id": first.event_id, "tenant": first.tenant,
                                          "decided_at": first.decided_at})
        assert fast(twin) == encode(twin)
