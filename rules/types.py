"""Validated types shared by the rule data models."""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Annotated

import pycountry
from pydantic import AfterValidator, BaseModel, ConfigDict, StringConstraints

ANYWHERE = "*"
"""A location the provider does not guarantee: any country in the world."""

EU_ZONE = "EU"
"""An EU member state the provider does not name (ISO 3166 exceptionally reserved code)."""


@cache
def _iso_codes() -> frozenset[str]:
    return frozenset(c.alpha_2 for c in pycountry.countries)


def known_country(value: str) -> str:
    """``value`` when it is an ISO 3166-1 alpha-2 code, else a ValueError naming it."""
    if value not in _iso_codes():
        hint = " (Greece is GR in ISO 3166, EL is the EU protocol code)" if value == "EL" else ""
        raise ValueError(f"unknown ISO 3166-1 alpha-2 country code {value!r}{hint}")
    return value


def _known_location(value: str) -> str:
    if value in (ANYWHERE, EU_ZONE):
        return value
    return known_country(value)


CountryCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$"), AfterValidator(known_country)]
"""An existing ISO 3166-1 alpha-2 code, upper case."""

Location = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2}|\*)$"), AfterValidator(_known_location)]
"""Where processing happens: a country code, ``EU`` (a member state, unnamed) or ``*`` (anywhere)."""

Destination = Annotated[str, StringConstraints(pattern=r"^([A-Z]{2}|[A-Z]{3,12})$")]
"""An adequacy destination: a country code, or an international organisation's id (``EPORG``)."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Strict(BaseModel):
    """Base of the data-file models: unknown keys are errors (a typo must not pass silently)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Sourced(Strict):
    """A fact with the source it comes from and the day it was last checked."""

    source: NonEmpty
    checked: date


def require_unique(label: str, ids: list[str]) -> None:
    """A ValueError naming every id that appears more than once."""
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise ValueError(f"{label} id(s) defined twice: {', '.join(dupes)}")


def require_sources(facts, sources: dict[str, str]) -> None:
    """A ValueError naming every ``source`` of ``facts`` missing from the file's ``sources``."""
    unknown = sorted({f.source for f in facts} - set(sources))
    if unknown:
        raise ValueError(f"source(s) not listed under 'sources': {', '.join(unknown)}")
