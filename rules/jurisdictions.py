"""The EEA and the adequacy decisions in force (GDPR Art. 45), loaded from YAML."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import field_validator, model_validator

from rules.types import (EU_ZONE, CountryCode, Destination, NonEmpty, Slug, Sourced, Strict, known_country,
                         require_sources, require_unique)
from rules.yamlio import load_model

DATA = Path(__file__).parent / "data"


class ScopeKind(StrEnum):
    """How far an adequacy finding reaches."""

    FULL = "full"  # the whole country, territory or organisation
    RECIPIENT_REGIME = "recipient_regime"  # only recipients subject to a named law (PIPEDA, APPI, PIPA, LGPD)
    CERTIFIED_RECIPIENT = "certified_recipient"  # only certified recipients (US: Data Privacy Framework)


class AdequacyScope(Strict):
    """The scope condition of one adequacy decision."""

    kind: ScopeKind
    regime: Slug | None = None
    programme: Slug | None = None
    excluded_sectors: tuple[Slug, ...] = ()
    condition: str | None = None

    @model_validator(mode="after")
    def _needs_its_key(self) -> "AdequacyScope":
        if self.kind is ScopeKind.RECIPIENT_REGIME and not self.regime:
            raise ValueError("a recipient_regime scope names its regime (pipeda, appi, pipa, lgpd)")
        if self.kind is ScopeKind.CERTIFIED_RECIPIENT and not self.programme:
            raise ValueError("a certified_recipient scope names its programme (dpf)")
        return self


class AdequacyDecision(Sourced):
    """An Art. 45 decision: destination, instrument, date, validity and scope."""

    destination: Destination
    name: NonEmpty
    kind: Literal["country", "international_organisation"] = "country"
    instrument: NonEmpty
    decided: date
    valid_until: date | None = None
    scope: AdequacyScope

    def in_force(self, on: date) -> bool:
        """Adopted on or before ``on`` and not expired."""
        return self.decided <= on and (self.valid_until is None or on <= self.valid_until)

    @field_validator("destination")
    @classmethod
    def _country_or_organisation(cls, value: str) -> str:
        return known_country(value) if len(value) == 2 else value


class Member(Strict):
    """An EEA member (or an EU region with its own code)."""

    code: CountryCode
    name: NonEmpty


class Eea(Sourced):
    """The countries where the GDPR applies directly."""

    members: tuple[Member, ...]


class Zone(Sourced):
    """A named group of countries a provider may process in without naming one."""

    code: Literal["EU"]
    name: NonEmpty
    within_eea: bool


class Jurisdictions(Strict):
    """EEA, zones and adequacy decisions, with a version bumped on each change."""

    version: NonEmpty
    sources: dict[Slug, NonEmpty]
    eea: Eea
    zones: tuple[Zone, ...] = ()
    adequacy: tuple[AdequacyDecision, ...]

    @model_validator(mode="after")
    def _sources_exist(self) -> "Jurisdictions":
        require_sources([self.eea, *self.zones, *self.adequacy], self.sources)
        require_unique("adequacy destination", [d.destination for d in self.adequacy])
        return self

    @cached_property
    def eea_codes(self) -> frozenset[str]:
        """Codes inside the EEA, including the EU zone."""
        zones = {z.code for z in self.zones if z.within_eea}
        return frozenset({m.code for m in self.eea.members} | zones | {EU_ZONE})

    @cached_property
    def adequacy_by_destination(self) -> dict[str, AdequacyDecision]:
        """Decision per destination code."""
        return {d.destination: d for d in self.adequacy}


def load_jurisdictions(path: Path | str = DATA / "jurisdictions.yaml") -> Jurisdictions:
    """Load and validate the jurisdiction data."""
    return load_model(path, Jurisdictions)
