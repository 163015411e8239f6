"""Resolve where a call goes: provider, contracting entity and possible processing locations."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from douane.contract import Destination
from rules.policy import CloudResource, Policy, SovereignEndpoint
from rules.registry import Entity, HostEntry, Provider, RegionFrom, Registry
from rules.types import ANYWHERE
from rules.wording import shipped_wording


@dataclass(frozen=True, slots=True, eq=False)
class Resolution:
    """Where a call goes. ``locations`` empty means the location could not be determined.

    Compared by identity: the resolver memoises, so one route is one object.
    """

    provider: Provider | None
    entity: Entity | None
    locations: frozenset[str]
    how: str
    sovereign: SovereignEndpoint | None = None

    @property
    def known(self) -> bool:
        """A registered provider (or sovereign endpoint) with a determined location."""
        return (self.provider is not None or self.sovereign is not None) and bool(self.locations)


class Resolver:
    """Resolves destinations against a registry and one policy; results are memoised."""

    def __init__(self, registry: Registry, policy: Policy, eea: frozenset[str]) -> None:
        self.registry = registry
        self.policy = policy
        self.eea = eea
        self.customers = "eea" if policy.controller.country in eea else "other"
        self.resolve_parts = lru_cache(maxsize=4096)(self._resolve)

    def resolve(self, destination: Destination) -> Resolution:
        """Resolve one event's destination."""
        hints = tuple((h.key, h.value) for h in destination.region_hints)
        return self.resolve_parts(destination.host, destination.model or "", hints, destination.provider)

    def _resolve(self, host: str, model: str, hints: tuple, provider_id: str | None) -> Resolution:
        host = _strip_port(host.lower())
        sovereign = self.policy.sovereign_by_host.get(host)
        if sovereign is not None:
            return Resolution(self.registry.by_id.get("sovereign"), None, frozenset({sovereign.location}),
                              f"{host} is a sovereign endpoint in the policy ({sovereign.location})", sovereign)
        found = self._match_host(host)
        if found is None:
            return self._unmatched(host, provider_id)
        provider, entry, groups = found
        locations, how = self._locations(provider, entry, groups, dict(hints))
        locations, how = self._apply_model_profile(provider, model, locations, how)
        return Resolution(provider, self._entity(provider), locations, how)

    def _match_host(self, host: str) -> tuple[Provider, HostEntry, dict] | None:
        exact = self.registry.exact_hosts.get(host)
        if exact is not None:
            return exact[0], exact[1], {}
        for provider, entry in self.registry.host_patterns:
            m = entry.regex.match(host)
            if m:
                return provider, entry, m.groupdict()
        return None

    def _unmatched(self, host: str, provider_id: str | None) -> Resolution:
        provider = self.registry.by_id.get(provider_id or "")
        if provider is None:
            return Resolution(None, None, frozenset(), f"{host} matches no provider in the registry")
        return Resolution(provider, self._entity(provider), frozenset({ANYWHERE}),
                          f"{host} is not a registered host of {provider.name}; its location is unknown")

    def _locations(self, provider: Provider, entry: HostEntry, groups: dict, hints: dict) -> tuple[frozenset, str]:
        if entry.region_from is RegionFrom.FIXED:
            return frozenset(entry.locations), f"host {entry.pattern} processes {_where(entry.locations)}"
        if entry.region_from is RegionFrom.HOST:
            return self._from_table(provider.regions, groups["region"], "host region")
        if entry.region_from is RegionFrom.BODY_FIELD:
            value = hints.get(entry.field) or entry.default or ""
            return self._from_table(provider.regions, value, f"request field {entry.field}")
        return self._from_resource(provider, groups["resource"])

    def _from_table(self, table: dict, key: str, what: str) -> tuple[frozenset, str]:
        locations = table.get(key)
        if locations is None:
            return frozenset({ANYWHERE}), f"{what} {key!r} is not in the registry: location unknown"
        return frozenset(locations), f"{what} {key!r} processes {_where(locations)}"

    def _from_resource(self, provider: Provider, name: str) -> tuple[frozenset, str]:
        resource = _resource(self.policy, provider.id, name)
        if resource is None:
            return frozenset(), (f"resource {name!r} of {provider.name} is not in the policy, so its region is "
                                 f"unknown; add it to the policy under vendors, provider {provider.id}, resources, "
                                 "with its region and deployment type")
        region = provider.regions.get(resource.region)
        if region is None:
            return frozenset({ANYWHERE}), f"resource {name!r}: region {resource.region!r} is not in the registry"
        if resource.deployment.startswith("global"):
            return frozenset({ANYWHERE}), f"resource {name!r} uses a Global deployment: processing {_where({ANYWHERE})}"
        if resource.deployment.startswith("datazone"):
            zone = "eu" if set(region) <= self.eea else "us" if set(region) == {"US"} else None
            zone_locations = provider.data_zones.get(zone or "", (ANYWHERE,))
            return frozenset(zone_locations), (f"resource {name!r} ({resource.region}) uses a DataZone deployment: "
                                               f"processing {_where(zone_locations)}")
        return frozenset(region), f"resource {name!r} is a {resource.deployment} deployment in {resource.region}"

    def _apply_model_profile(self, provider: Provider, model: str, locations: frozenset, how: str):
        prefix, dot, _ = model.partition(".")
        profile = provider.model_profiles.get(prefix) if dot else None
        if profile is None:
            return locations, how
        return frozenset(profile), f"{how}; model profile {prefix}. routes to {shipped_wording().places(profile)}"

    def _entity(self, provider: Provider) -> Entity:
        vendor = self.policy.vendors_by_provider.get(provider.id)
        if vendor is not None and vendor.contracting_entity is not None:
            return vendor.contracting_entity  # the organisation's own contract: confirmed
        return provider.entity_for(self.customers)


def _resource(policy: Policy, provider_id: str, name: str) -> CloudResource | None:
    vendor = policy.vendors_by_provider.get(provider_id)
    return next((r for r in vendor.resources if r.name == name), None) if vendor else None


def _strip_port(host: str) -> str:
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _where(locations) -> str:
    """Where a route processes, in rules.wording's names: ``in Germany and France``, ``in unknown locations``."""
    return shipped_wording().where(locations)
