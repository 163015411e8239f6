"""Reusable validated types of the wire contract (fideslang style ``Annotated`` aliases)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def _upper(value: str) -> str:
    return value.upper()


UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC. Naive timestamps are refused."""

CountryCode = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z]{2}$"),
    AfterValidator(_upper),
]
"""ISO 3166-1 alpha-2 code (``DE``, ``US``); Greece is ``GR``, not the EU protocol ``EL``."""

Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
"""A short lower-case identifier: tenant ids, features, provider ids, rule ids."""

DataCategory = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,5}$", max_length=128),
]
"""A fideslang-style dotted data category key, e.g. ``user.contact.email``."""

KeyedHash = Annotated[
    str,
    StringConstraints(pattern=r"^hmac-sha256:[A-Za-z0-9_.-]{1,32}:[0-9a-f]{64}$"),
]
"""``hmac-sha256:<key id>:<hex digest>``: correlates identical content without holding it."""

Host = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9.:\[\]-]{1,253}$", to_lower=True),
]
"""A DNS name or IP literal, optionally with a port; never a URL with credentials."""

UrlPath = Annotated[str, StringConstraints(pattern=r"^/[^?#\s]{0,511}$")]
"""The request path without query string (queries can carry keys and content)."""

ShortText = Annotated[str, StringConstraints(max_length=200)]
"""Bounded free text for names and hints; never prompt content."""

LongText = Annotated[str, StringConstraints(max_length=4000)]
"""Bounded prose written by Douane itself (explanations, remediations)."""

NonNegInt = Annotated[int, Field(ge=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
