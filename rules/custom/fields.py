"""The fields a custom rule condition can test, and how each is read from a call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from douane.contract import AICallEvent


@dataclass(frozen=True, slots=True)
class Subject:
    """What a condition sees: the event and the built-in procedure's outcome."""

    event: AICallEvent
    decided: object  # rules.engine.Decided


Getter = Callable[[Subject], object]


def _opt(value) -> object:
    return value.value if hasattr(value, "value") else value


FIELDS: dict[str, Getter] = {
    "tenant": lambda s: s.event.tenant,
    "tap.kind": lambda s: s.event.tap.kind.value,
    "tap.name": lambda s: s.event.tap.name,
    "app.platform": lambda s: s.decided.platform,
    "app.feature": lambda s: s.decided.feature,
    "dest.host": lambda s: s.decided.host,
    "dest.model": lambda s: s.event.destination.model,
    "dest.provider": lambda s: s.decided.provider or "unknown",
    "dest.locations": lambda s: s.decided.locations,
    "dest.entity_country": lambda s: s.decided.entity_country,
    "data.categories": lambda s: s.decided.categories,
    "data.special": lambda s: s.decided.special,  # detected, or implied by an Art. 9 category
    "data.subject_country": lambda s: s.event.data_subject_country,
    "outcome.action": lambda s: s.event.outcome.action.value,
    "outcome.status": lambda s: s.event.outcome.status,
    "outcome.error_class": lambda s: _opt(s.event.outcome.error_class),
    "verdict.decision": lambda s: s.decided.decision.value,
    "verdict.basis": lambda s: s.decided.basis.value,
    "verdict.severity": lambda s: s.decided.severity.value,
}
"""Field name → getter. Set-valued: ``dest.locations``, ``data.categories``."""

SET_FIELDS = frozenset({"dest.locations", "data.categories"})

STATIC_FIELDS = frozenset({
    "app.platform", "app.feature", "dest.host", "dest.model", "dest.provider", "dest.locations",
    "dest.entity_country", "data.categories", "data.special", "verdict.decision", "verdict.basis",
    "verdict.severity",
})
"""Fields fixed by the engine's memo key: a rule that reads only these gives one answer per decision."""

EVENT_PATHS: dict[str, str] = {
    "tenant": "tenant",
    "tap.kind": "tap.kind",
    "tap.name": "tap.name",
    "data.subject_country": "data_subject_country",
    "outcome.action": "outcome.action",
    "outcome.status": "outcome.status",
    "outcome.error_class": "outcome.error_class",
}
"""The other fields: where on the event each is read. Every one takes few values (no ids, no times),
so the engine can add the ones a policy's rules read to its memo key and memoise whole verdicts."""


def event_reader(names) -> Callable[[AICallEvent], object] | None:
    """One call reading the event fields among ``names`` that the memo key does not fix (None: none)."""
    paths = sorted({EVENT_PATHS[name] for name in names if name not in STATIC_FIELDS})
    return attrgetter(*paths) if paths else None


def render_value(value: object) -> str:
    """A field value as text for a rule's output line."""
    if isinstance(value, frozenset | set | tuple | list):
        return ",".join(sorted(str(v) for v in value))
    return "" if value is None else str(value)
