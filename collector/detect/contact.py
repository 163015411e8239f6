"""Contact data: e-mail addresses and phone numbers (GDPR Art. 4(1): identifiers of a natural person)."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from collector.detect.base import Detector, digits

NOT_PHONE_SHAPES = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}$|^\d{4}-\d{2}-\d{2}$|^\d{1,3}(?:\.\d{1,3}){3}$")
"""Dates and IPv4 addresses: digit runs that libphonenumber would sometimes take for numbers."""


class EmailDetector(Detector):
    """E-mail addresses (local part, @, a domain with a dot)."""

    name = "email"
    category = "user.contact.email"
    patterns = (r"(?<![\w.+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24})",)


class PhoneDetector(Detector):
    """Phone numbers that libphonenumber holds valid: international (+..) or national in an EU shop's region.

    A cheap pattern finds digit runs first; only those are parsed, and date or IP shapes are skipped.
    """

    name = "phone"
    category = "user.contact.phone_number"
    patterns = (r"(?<![\w+-])((?:\+|00)?\(?\d{1,4}\)?(?:[ ./-]?\(?\d{1,5}\)?){2,6})(?![\w-])",)
    regions = ("DE", "FR", "ES", "IT", "NL", "AT", "BE", "PL")

    def validate(self, value: str) -> bool:
        if NOT_PHONE_SHAPES.match(value) or not 6 <= len(digits(value)) <= 15:
            return False
        candidate = "+" + value[2:] if value.startswith("00") else value
        if candidate[0] != "+" and len(digits(value)) > 12:
            return False  # national numbers are shorter; this is an EAN or an order number
        return any(self._valid(candidate, region) for region in (self.regions[:1] if candidate[0] == "+"
                                                                  else self.regions))

    @staticmethod
    @lru_cache(maxsize=8192)  # libphonenumber is the slowest check; shops see the same numbers again
    def _valid(value: str, region: str) -> bool:
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
        except phonenumbers.NumberParseException:
            return False
