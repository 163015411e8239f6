"""One call as the procedure sees it: resolved destination, activity, data, day, instruments."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from datetime import date

from douane.contract import Basis, Decision, Finding
from rules.catalogue import Catalogue
from rules.jurisdictions import Jurisdictions
from rules.policy import Activity, Policy, Vendor
from rules.resolve import Resolution
from rules.taxonomy import article_of, display_name
from rules.wording import shipped_wording

@dataclass(frozen=True)
class Case:
    """Everything the procedure needs about one call, already resolved."""

    resolution: Resolution
    activity: Activity | None
    categories: frozenset[str]
    special: bool
    day: date
    policy: Policy
    jurisdictions: Jurisdictions
    catalogue: Catalogue
    host: str
    platform: str
    feature: str
    consented: bool = False  # the event carries an Art. 49(1)(a) consent reference
    unobserved: bool = False  # detection did not see (all of) the content
    criminal: bool = False  # Art. 10 data among the categories
    unknown_keys: frozenset[str] = frozenset()  # category keys outside the taxonomy
    steady: bool = False  # the stream observed more calls than the policy's occasional_use allows

    @property
    def vendor(self) -> Vendor | None:
        """The vendor record of the resolved provider, if registered."""
        provider = self.resolution.provider
        return self.policy.vendors_by_provider.get(provider.id) if provider else None

    @property
    def destinations(self) -> frozenset[str]:
        """Processing locations plus the importer's seat: both make a transfer."""
        entity = self.resolution.entity
        seat = {entity.country} if entity is not None else set()
        return self.resolution.locations | seat

    @property
    def third_countries(self) -> frozenset[str]:
        """Destinations outside the EEA (``*`` included)."""
        return frozenset(d for d in self.destinations if d not in self.jurisdictions.eea_codes)

    def render(self, rule_id: str, **extra: object) -> Finding:
        """The catalogue's finding ``rule_id`` for this case (one level more severe for Art. 9 data)."""
        return self.catalogue.render(rule_id, self.context(**extra), raise_severity=self.special)

    def context(self, **extra: object) -> dict[str, object]:
        """Placeholder values for finding templates."""
        return {**self._base_context, **extra}

    @cached_property
    def _base_context(self) -> dict[str, object]:
        provider = self.resolution.provider
        entity = self.resolution.entity
        base = {
            "provider": provider.name if provider else self.host,
            "entity": entity.name if entity else "an unknown recipient",
            "host": self.host,
            "locations": describe_locations(self.third_countries or self.destinations),
            "categories": _named(self.categories) or "none detected",
            "special_categories": _named(frozenset(c for c in self.categories if article_of(c) == "9"))
            or "flagged by detection as special-category",
            "criminal_categories": _named(frozenset(c for c in self.categories if article_of(c) == "10"))
            or "flagged as criminal-offence data",
            "activity": self.activity.name if self.activity else "(none)",
            "platform": self.platform,
            "feature": self.feature,
            "how": self.resolution.how,
            "day": self.day.isoformat(),
            "expected_module": expected_module(self.policy, self.vendor),
        }
        return base


@dataclass
class Ruling:
    """The procedure's answer: decision, basis, findings, and the path taken in words."""

    decision: Decision = Decision.NEEDS_REVIEW
    basis: Basis = Basis.NONE
    findings: list[Finding] = field(default_factory=list)
    trace: list[str] = field(default_factory=list)
    importer: object | None = None  # the entity judged as recipient, when not the resolved one
    derogation_sought: bool = False  # the procedure reached Art. 49 with derogations relied on

    def step(self, text: str) -> None:
        """Record one step of the decision path."""
        self.trace.append(text)

    def conclude(self, decision: Decision, basis: Basis, text: str) -> "Ruling":
        """Set the outcome and record why."""
        self.decision, self.basis = decision, basis
        self.trace.append(f"=> {decision.value} ({basis.value}): {text}")
        return self


def describe_locations(locations) -> str:
    """``China``, ``the United States and unknown locations``, ... for a finding's text (rules.wording's names)."""
    return shipped_wording().places(locations)


def expected_module(policy: Policy, vendor: Vendor | None) -> int:
    """The SCC module the roles call for (Decision 2021/914)."""
    importer_is_processor = vendor is None or vendor.role == "processor"
    if policy.controller.role == "controller":
        return 2 if importer_is_processor else 1
    return 3 if importer_is_processor else 4


@lru_cache(maxsize=4096)
def _named(keys: frozenset[str]) -> str:
    """Categories as people read them (``Email, Health``), for a finding's text; the keys stay in the event."""
    return ", ".join(sorted({display_name(k) for k in keys}))
