"""Reusable validated types of the wire contract (fideslang style ``Annotated`` aliases)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, Field, StringConstraints


def _to_utc(value: datetime) -> datetime:
    return value.astimezone(timezone.utc)


def _upper(value: str) -> str:
    return value.upper()


COUNTRY_PATTERN = r"^[A-Za-z]{2}$"
SLUG_PATTERN = r"^[a-z0-9][a-z0-9_.-]{0,63}$"
DATA_CATEGORY_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,5}$"
KEYED_HASH_PATTERN = r"^hmac-sha256:[A-Za-z0-9_.-]{1,32}:[0-9a-f]{64}$"
HOST_PATTERN = r"^[A-Za-z0-9.:\[\]-]{1,253}$"
URL_PATH_PATTERN = r"^/[^?#\s]{0,511}$"
SHORT_TEXT_MAX, LONG_TEXT_MAX, DATA_CATEGORY_MAX = 200, 4000, 128
"""The contract's string rules, named once: the pydantic types below and the fast decoder use them."""

UtcDatetime = Annotated[AwareDatetime, AfterValidator(_to_utc)]
"""A timezone-aware timestamp, normalised to UTC. Naive timestamps are refused."""

CountryCode = Annotated[
    str,
    StringConstraints(pattern=COUNTRY_PATTERN),
    AfterValidator(_upper),
]
"""ISO 3166-1 alpha-2 code (``DE``, ``US``); Greece is ``GR``, not the EU protocol ``EL``."""

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
"""A short lower-case identifier: tenant ids, features, provider ids, rule ids."""

DataCategory = Annotated[
    str,
    StringConstraints(pattern=DATA_CATEGORY_PATTERN, max_length=DATA_CATEGORY_MAX),
]
"""A fideslang-style dotted data category key, e.g. ``user.contact.email``."""

KeyedHash = Annotated[
    str,
    StringConstraints(pattern=KEYED_HASH_PATTERN),
]
"""``hmac-sha256:<key id>:<hex digest>``: correlates identical content without holding it."""

Host = Annotated[
    str,
    StringConstraints(pattern=HOST_PATTERN, to_lower=True),
]
"""A DNS name or IP literal, optionally with a port; never a URL with credentials."""

UrlPath = Annotated[str, StringConstraints(pattern=URL_PATH_PATTERN)]
"""The request path without query string (queries can carry keys and content)."""

ShortText = Annotated[str, StringConstraints(max_length=SHORT_TEXT_MAX)]
"""Bounded free text for names and hints; never prompt content."""

LongText = Annotated[str, StringConstraints(max_length=LONG_TEXT_MAX)]
"""Bounded prose written by Douane itself (explanations, remediations)."""

NonNegInt = Annotated[int, Field(ge=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
