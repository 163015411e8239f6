"""Personal-data detection: small detectors, one category each, reporting counts and never values."""

from __future__ import annotations

from collections.abc import Iterable

from collector.detect.address import PostalAddressDetector
from collector.detect.base import Detector, Hit
from collector.detect.contact import EmailDetector, PhoneDetector
from collector.detect.dob import DateOfBirthDetector
from collector.detect.financial import IbanDetector, PaymentCardDetector, VatDetector
from collector.detect.health import HealthTermsDetector
from collector.detect.national_ids import (
    DutchBsnDetector,
    FrenchNirDetector,
    GermanTaxIdDetector,
    ItalianFiscalCodeDetector,
    SpanishIdDetector,
)
from collector.detect.network import IpAddressDetector

MAX_SCAN_CHARS = 1_000_000
"""Longer texts are scanned in their first million characters (the gateway's body limit is lower)."""

DEFAULT_DETECTORS: tuple[Detector, ...] = (
    EmailDetector(), PhoneDetector(), IbanDetector(), PaymentCardDetector(), VatDetector(),
    GermanTaxIdDetector(), FrenchNirDetector(), SpanishIdDetector(), ItalianFiscalCodeDetector(),
    DutchBsnDetector(), IpAddressDetector(), PostalAddressDetector(), DateOfBirthDetector(), HealthTermsDetector(),
)


def scan(text: str, detectors: Iterable[Detector] = DEFAULT_DETECTORS) -> tuple[Hit, ...]:
    """Every detector's count on ``text``; detectors that found nothing are left out."""
    text = text[:MAX_SCAN_CHARS]
    hits = (Hit(d.category, d.name, d.count(text)) for d in detectors)
    return tuple(h for h in hits if h.count)


__all__ = ["DEFAULT_DETECTORS", "Detector", "Hit", "scan"]
