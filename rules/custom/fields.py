"""The fields a custom rule condition can test, how each is read from a call, and how it reads in an output line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter

from douane.contract import AICallEvent
from rules.wording import Wording, basis_in_words, categories_in_words, shipped_wording


@dataclass(frozen=True, slots=True)
class Subject:
    """What a condition sees: the event and the built-in procedure's outcome (and, for output lines, names)."""

    event: AICallEvent
    decided: object  # rules.engine.Decided
    words: Wording | None = None  # the engine's names; the shipped registry's and jurisdictions' when None


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


Say = Callable[[object, Wording], str]


def _as_is(value: object, words: Wording) -> str:
    return "unknown" if value is None else str(value)


def _spaced(value: object, words: Wording) -> str:
    return "none" if value is None else str(value).replace("_", " ")


def _keys(value: object, words: Wording) -> str:
    if isinstance(value, frozenset | set | tuple | list):
        return ", ".join(sorted(str(v) for v in value))
    return _as_is(value, words)


SAYS: dict[str, Say] = {
    "tap.kind": _spaced,
    "dest.provider": lambda v, w: w.provider(v),
    "dest.locations": lambda v, w: w.places(v),
    "dest.entity_country": lambda v, w: w.country(v),
    "data.categories": lambda v, w: categories_in_words(v),
    "data.special": lambda v, w: "yes" if v else "no",
    "data.subject_country": lambda v, w: w.country(v),
    "outcome.action": _spaced,
    "outcome.error_class": _spaced,
    "verdict.decision": _spaced,
    "verdict.basis": lambda v, w: basis_in_words(v),
    "verdict.severity": _spaced,
}
"""How a field reads in an output line, where its value is a key or a code (the others show as they are)."""

RAW_TWINS: dict[str, str] = {
    "dest.provider_id": "dest.provider",
    "dest.location_codes": "dest.locations",
    "dest.entity_country_code": "dest.entity_country",
    "data.category_keys": "data.categories",
    "data.subject_country_code": "data.subject_country",
}
"""Output-only fields that show the raw value of a field whose output is in words."""


@dataclass(frozen=True, slots=True)
class Shown:
    """One %field of an output line: how its value is read, and how it is said."""

    source: str  # the condition field it reads
    get: Getter
    say: Say

    def __call__(self, subject: Subject) -> str:
        return self.say(self.get(subject), subject.words or shipped_wording())


OUTPUT_FIELDS: dict[str, Shown] = {
    **{name: Shown(name, get, SAYS.get(name, _as_is)) for name, get in FIELDS.items()},
    **{twin: Shown(source, FIELDS[source], _keys) for twin, source in RAW_TWINS.items()},
}
"""Every %field an output line may use: the condition fields in words and their raw twins."""
