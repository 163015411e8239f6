"""Counting, per tenant, activity and destination, the calls that rest on an Art. 49 derogation.

A derogation covers occasional transfers (recital 111, EDPB Guidelines 2/2018 s. 2.2-2.3); an
activity may declare its transfers occasional and still send a steady stream. The stream counts
the calls that reached Art. 49 in the policy's window (``readings.occasional_use``, by the calls'
own time, so a replay counts as the live stream did) and hands the count to the engine, which
judges more than ``max_calls`` as systematic use.

The state is small and keyed: for each (tenant, activity, destination) the times of the latest
``max_calls + 1`` such calls, which is all the judgment needs. Events of a tenant share a Kafka
partition, so one worker sees all of a tenant's calls; a worker that restarts counts again from
what it reads (a steady stream crosses the limit again within ``max_calls + 1`` calls).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import timedelta

from douane.contract import AICallEvent, Verdict
from rules.engine import Decided, Engine

_KEY_LIMIT = 100_000  # keys kept before the oldest are dropped: bounded memory for any traffic


class DerogationUse:
    """The calls resting on Art. 49 seen per (tenant, activity, destination), newest ``max_calls + 1`` kept."""

    def __init__(self) -> None:
        self._times: dict[tuple, list] = {}

    def audit(self, engine: Engine, event: AICallEvent) -> tuple[Verdict, Decided]:
        """The engine's verdict, judged with the observed count when the call rests on Art. 49."""
        verdict, decided = engine.audit(event)
        if not decided.derogation_sought:
            return verdict, decided
        use = engine.policy.readings.occasional_use
        window = timedelta(days=use.window_days)
        calls = self.count(_key(engine, event, decided), event.observed_at, window, use.max_calls + 1)
        if calls <= use.max_calls:
            return verdict, decided
        return engine.audit(event, observed_calls=calls)

    def count(self, key: tuple, at, window: timedelta, keep: int) -> int:
        """Record a call at ``at``; return the calls of ``key`` within ``window`` before it, this one included.

        At most ``keep`` are kept and counted: the judgment needs no more.

        Calls later than ``at`` (read before it) count too: a late call amid a steady stream is part of it.
        """
        times = self._times.get(key)
        if times is None:
            if len(self._times) >= _KEY_LIMIT:
                del self._times[next(iter(self._times))]
            times = self._times[key] = []
        insort(times, at)
        if len(times) > keep:
            del times[: len(times) - keep]
        return len(times) - bisect_left(times, at - window)


def _key(engine: Engine, event: AICallEvent, decided: Decided) -> tuple:
    activity = engine.activity(decided.platform, decided.feature)  # set: only an activity relies on derogations
    return (event.tenant, activity.id, decided.provider or decided.host)
