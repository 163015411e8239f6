"""Contact data: e-mail addresses and phone numbers (GDPR Art. 4(1): identifiers of a natural person)."""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from collector.detect.base import Detector, digits
from collector.detect.gate import WORD_CHARS, BackScan, NumberTrigger
from collector.detect.phone_validity import is_valid_national, is_valid_number

NOT_PHONE_SHAPES = re.compile(r"^\d{1,2}[./]\d{1,2}[./]\d{2,4}$|^\d{4}-\d{2}-\d{2}$|^\d{1,3}(?:\.\d{1,3}){3}$")
"""Dates and IPv4 addresses: digit runs that libphonenumber would sometimes take for numbers."""


def _valid_international(number: str) -> bool:
    """Whether ``number`` (the digits after ``+``) is valid for the country code it starts with (no parse)."""
    for size in (1, 2, 3):
        code = int(number[:size])
        if phonenumbers.region_code_for_country_code(code) != phonenumbers.UNKNOWN_REGION:
            national = number[size:]
            if not national:
                return False
            if (answer := is_valid_national(code, national)) is not None:
                return answer  # most calling codes: the digits checked as written, no PhoneNumber built
            leading_zeros = len(national) - len(national.lstrip("0"))
            parsed = phonenumbers.PhoneNumber(country_code=code, national_number=int(national),
                                              italian_leading_zero=leading_zeros > 0 or None,
                                              number_of_leading_zeros=leading_zeros if leading_zeros > 1 else None)
            return is_valid_number(parsed)
    return False


LOCAL_PART = "A-Za-z0-9._%+-"
LONGEST_LOCAL_PART = 64
DOMAIN_LABEL = "A-Za-z0-9-"


class EmailDetector(Detector):
    """E-mail addresses (local part, @, a domain with a dot)."""

    name = "email"
    category = "user.contact.email"
    patterns = (rf"(?<![\w.+-])([{LOCAL_PART}]{{1,{LONGEST_LOCAL_PART}}}@[{DOMAIN_LABEL}]{{1,63}}"
                rf"(?:\.[{DOMAIN_LABEL}]{{1,63}}){{0,8}}\.[A-Za-z]{{2,24}})",)
    back_scans = (BackScan(tail=DOMAIN_LABEL + ".", separator="@", head=LOCAL_PART, longest_head=LONGEST_LOCAL_PART),)
    """Gated whole (a hostile ``a@a.a@a.…`` reaches no Python check), and where an address starts is read back
    from where the gate saw it end: over the domain to the ``@``, over the local part. Start-of-match tracking
    did the same in Hyperscan at ~7 µs of a 2 KB prompt's scan; an ``@`` trigger left finding the start to
    Python, which ate the saving."""


class PhoneDetector(Detector):
    """Phone numbers that libphonenumber holds valid: international (+..) or national in an EU shop's region.

    A cheap pattern finds digit runs first; only those are parsed, and date or IP shapes are skipped.
    A national number is tried only in the regions whose numbers can start with its first digit
    (a trunk ``0`` in DE/FR/IT/NL/AT/BE, Italian mobiles on ``3``, Spanish and Polish numbers on
    1-9); an international one is checked from its country code without a full parse when it is valid.
    """

    name = "phone"
    category = "user.contact.phone_number"
    patterns = (r"(?<![\w+-])((?:\+|00)?\(?\d{1,4}\)?(?:[ ./-]?\(?\d{1,5}\)?){2,6})(?![\w-])",)
    triggers = (NumberTrigger(fewest=6, most=15, not_before=WORD_CHARS + "+-", not_after=WORD_CHARS + "-"),)
    """Where a number of six to fifteen digits starts (``validate`` refuses others), as the pattern reads digits,
    separators and brackets, and ends. Shop prompts are full of shorter runs (a house number, a postcode,
    "230 V") that the pattern matches and the check refuses; the gate does not report them. Nor does it
    report a start in a long unbroken run of digits, where the pattern backtracks through every way of
    grouping them before it fails."""
    trigger_exact_start = (True,)
    """The trigger's width varies from 8 to 63 characters: without start-of-match tracking a match could start
    anywhere in the 56 offsets before its end, and trying them in Python cost more (+13 µs a prompt) than the
    tracking saves Hyperscan (measured alternated, 2026-12-02); a tracked start is also never the head of a long
    digit run, where ``re`` tries every split of it. Tracked starts also lead the check to a number itself: tried
    from every offset before it, the pattern first takes a long reference number before it and the number with
    it ("Kundennummer 1234567890123456 030 12345678"), so the C loop keeps them too although its phone shape
    would try those offsets in nanoseconds (gate ~8 µs less, measured and left out, 2026-12-03). The C scan
    finds the same starts without the tracking, reading each end back (``NumberTrigger``)."""
    regions = ("DE", "FR", "ES", "IT", "NL", "AT", "BE", "PL")
    regions_by_first_digit = {"0": ("DE", "FR", "IT", "NL", "AT", "BE"), "3": ("IT", "PL"),
                              **dict.fromkeys("6789", ("ES", "PL")), **dict.fromkeys("1245", ("PL",))}

    def validate(self, value: str) -> bool:
        number = digits(value)
        if NOT_PHONE_SHAPES.match(value) or not 6 <= len(number) <= 15:
            return False
        candidate = "+" + value[2:] if value.startswith("00") else value
        if candidate[0] == "+":
            return _valid_international(number[2:] if value.startswith("00") else number) or \
                self._valid(candidate, self.regions[0])
        if len(number) > 12:
            return False  # national numbers are shorter; this is an EAN or an order number
        return any(self._valid(candidate, region) for region in self.regions_by_first_digit.get(number[0], ()))

    @staticmethod
    @lru_cache(maxsize=8192)  # libphonenumber is the slowest check; shops see the same numbers again
    def _valid(value: str, region: str) -> bool:
        try:
            return is_valid_number(phonenumbers.parse(value, region))
        except phonenumbers.NumberParseException:
            return False
