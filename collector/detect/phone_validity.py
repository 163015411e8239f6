"""libphonenumber's ``is_valid_number``, answered with two regex calls instead of up to eleven.

A number is valid when its national significant number matches its region's general pattern and
one of the type patterns (premium rate, toll free, ..., fixed line, mobile), each tried only for the
lengths it allows. libphonenumber tries the types one regex at a time (13-15 µs a number, the
costliest part of a new phone number's check); here the type patterns a length allows are joined
into one alternation per region and length, built once. Same answers: a regex alternation matches
a whole string when one of its branches does (``tests/collector/test_phone_validity.py`` compares
the two on random numbers). Calling codes shared by several regions (+1, +7, +39, +44, ...), where
libphonenumber first decides the region, go to libphonenumber itself.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from phonenumbers import PhoneMetadata
from phonenumbers.phonemetadata import REGION_CODE_FOR_NON_GEO_ENTITY
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

TYPES = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
         "fixed_line", "mobile")
"""The number types libphonenumber tells apart; a number of none of them is not valid."""


def is_valid_number(number: phonenumbers.PhoneNumber) -> bool:
    """What ``phonenumbers.is_valid_number(number)`` answers."""
    answer = is_valid_national(number.country_code, phonenumbers.national_significant_number(number))
    return phonenumbers.is_valid_number(number) if answer is None else answer


def is_valid_national(country_code: int, national: str) -> bool | None:
    """What ``is_valid_number`` answers for ``+<country_code><national>``, read from the digits themselves (no
    ``PhoneNumber`` built, leading zeros kept as written); None where only libphonenumber can tell (a calling code
    shared by several regions, a region without metadata, a national number of zeros only)."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code)
    if regions is None or len(regions) != 1 or regions[0] == REGION_CODE_FOR_NON_GEO_ENTITY or \
            not national.strip("0"):
        return None
    patterns = _patterns(regions[0], len(national))
    if patterns is None:
        return None
    general, types = patterns
    return general is not None and types is not None and general.fullmatch(national) is not None \
        and types.fullmatch(national) is not None


@lru_cache(maxsize=1024)
def _patterns(region: str, length: int) -> tuple[re.Pattern | None, re.Pattern | None] | None:
    """The general pattern and the joined type patterns a national number of ``length`` digits is checked against
    (None for either: no number of that length is valid); None when the region has no metadata."""
    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return None
    general = _pattern(metadata.general_desc, length)
    types = [metadata.mobile if name == "mobile" else getattr(metadata, name) for name in TYPES
             if not (name == "mobile" and metadata.same_mobile_and_fixed_line_pattern)]
    sources = [source for desc in types if (source := _source(desc, length)) is not None]
    joined = re.compile("|".join(f"(?:{source})" for source in sources)) if sources else None
    return general, joined


def _pattern(desc, length: int) -> re.Pattern | None:
    source = _source(desc, length)
    return None if source is None else re.compile(source)


def _source(desc, length: int) -> str | None:
    """``desc``'s pattern where it allows ``length`` digits (libphonenumber's ``_is_number_matching_desc``)."""
    if desc is None or not desc.national_number_pattern:
        return None
    if desc.possible_length and length not in desc.possible_length:
        return None
    return desc.national_number_pattern
