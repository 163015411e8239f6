"""Keys, codes and ids in the words a compliance officer reads: providers, places, categories, bases.

The names come from the data Douane already holds (the registry's provider names, the
jurisdictions' country and zone names, the taxonomy's plain names); a country outside the
jurisdictions file takes its ISO 3166 name. Nothing here decides anything: verdicts, events and
rule conditions keep the keys, only the lines people read are in words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

import pycountry

from rules.jurisdictions import Jurisdictions, load_jurisdictions
from rules.registry import Registry, load_registry
from rules.taxonomy import display_name
from rules.types import ANYWHERE

UNKNOWN_PLACES = "unknown locations"
UNKNOWN_PROVIDER = "an unknown provider"
UNKNOWN_COUNTRY = "an unknown country"

BASES = {"eea": "EEA", "adequacy": "adequacy (Art. 45)", "dpf": "DPF (Art. 45)", "scc": "SCC (Art. 46)",
         "bcr": "BCR (Art. 47)", "none": "none", "not_a_transfer": "not a transfer"}
"""Transfer bases in words; derogations are spelt out by :func:`basis_in_words`."""

# English puts "the" before a country name that is a union, a plural or a form of state.
_TAKES_THE = re.compile(r"\b(Republic|Kingdom|State|States|Islands|Emirates|Federation|Union|Netherlands|Philippines"
                        r"|Bahamas|Gambia|Maldives|Comoros|Seychelles|Isle|Holy See)\b")
_QUALIFIER = re.compile(r"\s*\([^)]*\)$")  # "United States (EU-U.S. Data Privacy Framework)": the decision's scope


def in_words(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c`` (empty string for none)."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def categories_in_words(keys: Iterable[str]) -> str:
    """Data categories by their plain names (``e-mail address and postal address``), in key order."""
    names = list(dict.fromkeys(display_name(k) for k in sorted(keys)))
    return in_words(names) or "none detected"


def basis_in_words(key: str) -> str:
    """A transfer basis as a report or an alert names it (``SCC (Art. 46)``, ``Art. 49(1)(b)``)."""
    if key in BASES:
        return BASES[key]
    # Imported here: rules.derogations needs rules.case, and rules.case names its places with this module.
    from rules.derogations import article, derogation_of

    derogation = derogation_of(key)
    return f"Art. {article(derogation)}" if derogation is not None else key.replace("_", " ")


def iso_name(code: str) -> str | None:
    """The ISO 3166 short name of a country code as people write it (``South Korea``); None if unknown."""
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return None
    name = getattr(country, "common_name", None) or country.name
    head, _, tail = name.partition(", ")  # "Palestine, State of", "Virgin Islands, British": turned round
    if tail.endswith((" of", " of the")) or (tail and " " not in tail):
        return f"{tail} {head}"
    return name  # "Bonaire, Sint Eustatius and Saba" is one name


def with_article(name: str) -> str:
    """``the United Kingdom``, ``Switzerland``."""
    if name.lower().startswith("the "):
        return "the " + name[4:]
    return f"the {name}" if _TAKES_THE.search(name) else name


class Wording:
    """Names for one registry and one set of jurisdictions; the key itself when nothing names it."""

    def __init__(self, jurisdictions: Jurisdictions, registry: Registry) -> None:
        members = {m.code: m.name for m in jurisdictions.eea.members}
        zones = {z.code: z.name for z in jurisdictions.zones}
        adequate = {d.destination: d.name for d in jurisdictions.adequacy if d.kind == "country"}
        self._places = {code: _QUALIFIER.sub("", name) for code, name in {**adequate, **zones, **members}.items()}
        self._providers = {p.id: p.name for p in registry.providers}
        self._named: dict[str, str] = {}  # code -> place, filled as codes are met (a few hundred at most)

    def provider(self, provider_id: str | None) -> str:
        """The registry's name for a provider id (``Amazon Bedrock``)."""
        if not provider_id or provider_id == "unknown":
            return UNKNOWN_PROVIDER
        return self._providers.get(provider_id, provider_id)

    def place(self, code: str | None) -> str:
        """A location code as a place (``the United Kingdom``); ``*`` and none are unknown locations."""
        if not code or code == ANYWHERE:
            return UNKNOWN_PLACES
        named = self._named.get(code)
        if named is None:
            name = self._places.get(code) or iso_name(code)
            named = self._named[code] = with_article(name) if name else code
        return named

    def country(self, code: str | None) -> str:
        """A country code as a country name; none is an unknown country."""
        return self.place(code) if code else UNKNOWN_COUNTRY

    def places(self, codes: Iterable[str]) -> str:
        """Location codes as places, in code order, unknown locations last."""
        codes = set(codes)
        named = [self.place(c) for c in sorted(codes - {ANYWHERE})]
        if ANYWHERE in codes or not named:
            named.append(UNKNOWN_PLACES)
        return in_words(named)

    def where(self, codes: Iterable[str]) -> str:
        """Where something processes, as a phrase after a verb (``in Germany and France``)."""
        return f"in {self.places(codes)}"


@cache
def shipped_wording() -> Wording:
    """Names from the registry and jurisdictions shipped with Douane (read once per process)."""
    return Wording(load_jurisdictions(), load_registry())
