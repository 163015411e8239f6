"""Counting, per tenant, activity and destination, the calls that rest on an Art. 49 derogation.

A derogation covers occasional transfers (recital 111, EDPB Guidelines 2/2018 s. 2.2-2.3); an
activity may declare its transfers occasional and still send a steady stream. The stream counts
the calls that reached Art. 49 in the policy's window (``readings.occasional_use``, by the calls'
own time, so a replay counts as the live stream did) and hands the count to the engine, which
judges more than ``max_calls`` as systematic use.

The state is small and keyed: for each (tenant, activity, destination) the times of the latest
``max_calls + 1`` such calls, which is all the judgment needs. A call is counted once, whatever
number of times it is judged. This class counts what one process sees; the judge spreads a
tenant's calls over the workers (keyed by event id), so a worker shares its uses with the others
through :mod:`stream.derogation_share`.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from datetime import datetime, timedelta

from douane.contract import AICallEvent, Verdict
from rules.engine import Decided, Engine

_KEY_LIMIT = 100_000  # keys kept before the oldest are dropped: bounded memory for any traffic

UseKey = tuple[str, str, str]  # (tenant, activity id, recipient: provider id or host)


class DerogationUse:
    """The calls resting on Art. 49 seen per (tenant, activity, destination), newest ``max_calls + 1`` kept."""

    def __init__(self) -> None:
        self._times: dict[UseKey, list[tuple[datetime, str]]] = {}

    def audit(self, engine: Engine, event: AICallEvent) -> tuple[Verdict, Decided]:
        """The engine's verdict, judged with the observed count when the call rests on Art. 49."""
        verdict, decided = engine.audit(event)
        if not decided.derogation_sought:
            return verdict, decided
        return self.recount(engine, event, verdict, decided)

    def recount(self, engine: Engine, event: AICallEvent, verdict: Verdict,
                decided: Decided) -> tuple[Verdict, Decided]:
        """Count a call whose decision rests on Art. 49; judged again as systematic use past ``max_calls``."""
        use = engine.policy.readings.occasional_use
        window = timedelta(days=use.window_days)
        key = (event.tenant, decided.activity_id, decided.provider or decided.host)  # only an activity relies on them
        calls = self.count(key, event.observed_at, window, use.max_calls + 1, str(event.event_id))
        if calls <= use.max_calls:
            return verdict, decided
        return engine.audit(event, observed_calls=calls)

    def count(self, key: UseKey, at: datetime, window: timedelta, keep: int, call: str | None = None) -> int:
        """Record a call at ``at``; return the calls of ``key`` within ``window`` before it, this one included.

        At most ``keep`` are kept and counted: the judgment needs no more. ``call``: the call's id,
        so that a call judged again is not counted again (None: always a new call).

        Calls later than ``at`` (read before it) count too: a late call amid a steady stream is part of it.
        """
        self.record(key, at, keep, call)
        return self.within(key, at, window)

    def within(self, key: UseKey, at: datetime, window: timedelta) -> int:
        """The calls of ``key`` kept from ``window`` before ``at`` on (later ones included)."""
        times = self._times.get(key, ())
        return len(times) - bisect_left(times, (at - window,))

    def record(self, key: UseKey, at: datetime, keep: int, call: str | None = None) -> bool:
        """Keep a call of ``key`` at ``at`` among the newest ``keep``; False when ``call`` was kept already."""
        times = self._times.get(key)
        if times is None:
            if len(self._times) >= _KEY_LIMIT:
                del self._times[next(iter(self._times))]
            times = self._times[key] = []
        entry = (at, call or "")
        if call is not None and entry in times:
            return False
        insort(times, entry)
        if len(times) > keep:
            del times[: len(times) - keep]
        return True

