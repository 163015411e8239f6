"""Failed calls of one provider for one shop, per minute and kind, over the policy's NIS2 window.

One JSON-able entry per (tenant, provider), so a plain Faust table keeps it and its changelog
restores it: ``minutes`` maps a minute (Unix time // 60, from the record's Kafka timestamp)
to the failed calls per kind in it, and ``counted_up_to`` is the mark of the last record
counted in, ``sources_counted`` the marks of the calls counted in
(:func:`stream.alerts.incidents.counted`). Counts and mark share one changelog
record, so a signal Kafka delivers again after a restart is not counted twice towards the
threshold. An entry holds at most ``window_minutes`` minutes of at most three kinds.
"""

from __future__ import annotations

from stream.alerts.incidents import Position, counted, marked


def minute_of(timestamp: float) -> int:
    """The minute a record's timestamp (seconds) falls in."""
    return int(timestamp // 60)


def added(entry: dict | None, kinds: tuple[str, ...], minute: int, window_minutes: int,
          position: Position | None, source: Position | None = None) -> dict:
    """``entry`` with one failed call of each of ``kinds`` in ``minute``; minutes out of the window dropped
    (``entry`` itself when the record at ``position``, or its ``source`` call, was counted already)."""
    if counted(entry, position, source):
        return entry
    kept = {m: dict(n) for m, n in (entry or {}).get("minutes", {}).items() if int(m) > minute - window_minutes}
    now = kept.setdefault(str(minute), {})
    for kind in kinds:
        now[kind] = now.get(kind, 0) + 1
    counted_in = {"minutes": kept}
    if (entry or {}).get("sources_counted"):
        counted_in["sources_counted"] = entry["sources_counted"]
    return marked(counted_in, position, source)


def totals(entry: dict | None, minute: int, window_minutes: int) -> dict[str, int]:
    """Failed calls per kind within the ``window_minutes`` up to and including ``minute``."""
    summed: dict[str, int] = {}
    for m, by_kind in (entry or {}).get("minutes", {}).items():
        if minute - window_minutes < int(m) <= minute:
            for kind, n in by_kind.items():
                summed[kind] = summed.get(kind, 0) + n
    return summed
