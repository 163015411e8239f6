"""Which of an incident's destinations are only the contracting entity's seat.

A verdict's destinations are the processing locations and the importer's seat together (both make
a transfer), so an Anthropic call reads "IE, anywhere" although nothing says the data goes to
Ireland: Anthropic Ireland is who the shop contracts with. A message should say so. A country is
shown as the seat only when the registry never names it as a place the provider processes in: then
it can be in the destinations for no other reason.
"""

from __future__ import annotations

from rules.registry import Provider, Registry


def seat_only(registry: Registry) -> dict[str, frozenset[str]]:
    """Per provider id, the countries of its contracting entities where it never processes."""
    return {p.id: _seats(p) - _processing(p) for p in registry.providers}


def _seats(provider: Provider) -> frozenset[str]:
    return frozenset({provider.entity.country, *(c.entity.country for c in provider.contracting)})


def _processing(provider: Provider) -> frozenset[str]:
    places = {loc for host in provider.hosts for loc in host.locations}
    for table in (provider.regions, provider.model_profiles, provider.data_zones):
        places.update(loc for locations in table.values() for loc in locations)
    places.update(s.country for s in provider.sub_processing)
    return frozenset(places)


def seat_of(destination: str, seats: frozenset[str]) -> str:
    """The incident's destinations that are only the seat, as ``IE`` or ``IE,LU`` ('' for none)."""
    return ",".join(sorted(set(destination.split(",")) & seats))
