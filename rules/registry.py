"""The provider registry: which host belongs to which AI provider, who contracts, and where it processes."""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import model_validator

from rules.types import CountryCode, Location, NonEmpty, Slug, Sourced, Strict, require_sources, require_unique
from rules.yamlio import load_model

DATA = Path(__file__).parent / "data"

_PLACEHOLDER = re.compile(r"\{(region|resource)\}")
_HOST_PATTERN = r"^[a-z0-9.{}-]+$"


class RegionFrom(StrEnum):
    """Where the processing region of a call is read."""

    FIXED = "fixed"  # the host entry lists its locations
    HOST = "host"  # the {region} label of the host, looked up in `regions`
    TENANT_CONFIG = "tenant_config"  # the organisation's resource configuration (Azure)
    BODY_FIELD = "body_field"  # a request body field (Anthropic inference_geo)


class Entity(Strict):
    """The legal entity that receives the data, and the law it is subject to."""

    name: NonEmpty
    country: Location
    sector: Slug = "commercial"
    regimes: tuple[Slug, ...] = ()  # data-protection laws it is subject to (pipeda, appi, pipa, lgpd)
    parent_country: CountryCode | None = None  # a foreign parent: residual government-access risk
    confirmed: bool = True  # False: the registry assumes this entity; no source confirms it


class Contracting(Sourced):
    """The entity a customer of a region signs with (EEA business customers often sign with an EEA entity)."""

    customers: Literal["eea", "other"]
    entity: Entity


class SubProcessing(Sourced):
    """Known processing by a sub-processor outside the provider's processing location: its own transfer."""

    name: NonEmpty
    country: Location
    what: NonEmpty


class HostEntry(Strict):
    """One host pattern of a provider and how its processing region is decided."""

    pattern: str
    region_from: RegionFrom = RegionFrom.FIXED
    locations: tuple[Location, ...] = ()
    field: Slug | None = None
    default: Slug | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "HostEntry":
        if not re.match(_HOST_PATTERN, self.pattern):
            raise ValueError(f"host pattern {self.pattern!r} may hold lower-case labels and {{region}}/{{resource}}")
        if self.region_from is RegionFrom.FIXED and not self.locations:
            raise ValueError("a fixed host entry lists its locations")
        if self.region_from is RegionFrom.HOST and "{region}" not in self.pattern:
            raise ValueError("region_from: host needs a {region} label in the pattern")
        if self.region_from is RegionFrom.TENANT_CONFIG and "{resource}" not in self.pattern:
            raise ValueError("region_from: tenant_config needs a {resource} label in the pattern")
        if self.region_from is RegionFrom.BODY_FIELD and not self.field:
            raise ValueError("region_from: body_field names the field")
        return self

    @cached_property
    def regex(self) -> re.Pattern[str]:
        """The pattern as an anchored regular expression with named groups."""
        escaped = re.escape(self.pattern).replace(r"\{", "{").replace(r"\}", "}")
        return re.compile("^" + _PLACEHOLDER.sub(lambda m: f"(?P<{m.group(1)}>[a-z0-9-]{{1,63}})", escaped) + "$")

    @property
    def literal(self) -> bool:
        """True when the pattern has no placeholder (matched by dictionary lookup)."""
        return "{" not in self.pattern


class Provider(Sourced):
    """An AI provider: hosts, contracting entity, region logic and what a request reveals."""

    id: Slug
    name: NonEmpty
    kind: Literal["saas", "sovereign"] = "saas"
    entity: Entity
    contracting: tuple[Contracting, ...] = ()
    sub_processing: tuple[SubProcessing, ...] = ()
    region_rule: NonEmpty
    reveals: NonEmpty
    hosts: tuple[HostEntry, ...]
    regions: dict[str, tuple[Location, ...]] = {}
    model_profiles: dict[str, tuple[Location, ...]] = {}
    data_zones: dict[str, tuple[Location, ...]] = {}
    unconfirmed: dict[str, NonEmpty] = {}  # fact (region, profile, host, entity) -> what no source confirmed

    def entity_for(self, customers: str) -> Entity:
        """The contracting entity for customers of ``eea`` or ``other`` regions."""
        return next((c.entity for c in self.contracting if c.customers == customers), self.entity)


class Registry(Strict):
    """Every known provider; hosts resolve by exact match first, then by pattern."""

    version: NonEmpty
    sources: dict[Slug, NonEmpty]
    providers: tuple[Provider, ...]

    @model_validator(mode="after")
    def _check(self) -> "Registry":
        require_sources([*self.providers, *(f for p in self.providers for f in (*p.contracting, *p.sub_processing))],
                        self.sources)
        require_unique("provider", [p.id for p in self.providers])
        return self

    @cached_property
    def by_id(self) -> dict[str, Provider]:
        """Provider per id."""
        return {p.id: p for p in self.providers}

    @cached_property
    def exact_hosts(self) -> dict[str, tuple[Provider, HostEntry]]:
        """Literal host → (provider, entry)."""
        return {h.pattern: (p, h) for p in self.providers for h in p.hosts if h.literal}

    @cached_property
    def host_patterns(self) -> tuple[tuple[Provider, HostEntry], ...]:
        """Host entries with placeholders, in file order."""
        return tuple((p, h) for p in self.providers for h in p.hosts if not h.literal)


def load_registry(path: Path | str = DATA / "providers.yaml") -> Registry:
    """Load and validate the provider registry."""
    return load_model(path, Registry)
