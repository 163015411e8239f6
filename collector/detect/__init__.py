"""Personal-data detection: small detectors, one category each, reporting counts and never values."""

from __future__ import annotations

from collections.abc import Iterable

from collector.detect.address import PostalAddressDetector
from collector.detect.base import Detector, Hit
from collector.detect.contact import EmailDetector, PhoneDetector
from collector.detect.dob import DateOfBirthDetector
from collector.detect.gate import Gate
from collector.detect.financial import IbanDetector, PaymentCardDetector, VatDetector
from collector.detect.health import HealthTermsDetector
from collector.detect.normalise import normalise
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


class GatedDetectors:
    """Detectors behind one gate: a single compiled pass finds candidates, each detector checks its own."""

    def __init__(self, detectors: tuple[Detector, ...]) -> None:
        self.detectors = detectors
        self._ids: list[range] = []
        patterns: list[tuple[str, bool]] = []
        for detector in detectors:
            gated = detector.gate_patterns()
            self._ids.append(range(len(patterns), len(patterns) + len(gated)))
            patterns.extend(gated)
        self.gate = Gate(patterns)

    def scan(self, text: str) -> tuple[Hit, ...]:
        """Every detector's count on ``text`` (already normalised); detectors that found nothing are left out."""
        where = self.gate.spans(text)
        hits = []
        for detector, ids in zip(self.detectors, self._ids):
            if where is None:
                count = detector.count(text)
            elif any(i in where for i in ids):
                count = detector.count(text, [where.get(i, ()) for i in ids])
            else:
                continue
            if count:
                hits.append(Hit(detector.category, detector.name, count))
        return tuple(hits)


DEFAULT = GatedDetectors(DEFAULT_DETECTORS)


def scan(text: str, detectors: Iterable[Detector] | None = None) -> tuple[Hit, ...]:
    """Every detector's count on ``text`` after normalisation; detectors that found nothing are left out."""
    text = normalise(text[:MAX_SCAN_CHARS])
    if detectors is None:
        return DEFAULT.scan(text)
    hits = (Hit(d.category, d.name, d.count(text)) for d in detectors)
    return tuple(h for h in hits if h.count)


__all__ = ["DEFAULT_DETECTORS", "Detector", "Hit", "scan"]
