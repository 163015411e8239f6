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
from collector.detect.names import PersonNameDetector
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
    EmailDetector(), IbanDetector(), PaymentCardDetector(), VatDetector(),
    GermanTaxIdDetector(), FrenchNirDetector(), SpanishIdDetector(), ItalianFiscalCodeDetector(),
    DutchBsnDetector(), DateOfBirthDetector(), IpAddressDetector(), PhoneDetector(), PostalAddressDetector(),
    PersonNameDetector(), HealthTermsDetector(),
)
"""Most specific first: a span one of them validated is not counted again by a later one (one span, one
category: an IBAN's digits are not also a phone number, a VAT number not also a tax id read as digits)."""


class GatedDetectors:
    """Detectors behind one gate: a single compiled pass finds candidates, each detector checks its own."""

    def __init__(self, detectors: tuple[Detector, ...]) -> None:
        self.detectors = detectors
        self._ids: list[range] = []
        self._owner: list[int] = []  # pattern id -> index of the detector it belongs to
        patterns: list[tuple[str, bool]] = []
        for index, detector in enumerate(detectors):
            gated = detector.gate_patterns()
            self._ids.append(range(len(patterns), len(patterns) + len(gated)))
            self._owner.extend([index] * len(gated))
            patterns.extend(gated)
        self.gate = Gate(patterns)

    def scan(self, text: str) -> tuple[Hit, ...]:
        """Every detector's count on ``text`` (already normalised); detectors that found nothing are left out."""
        where = self.gate.spans(text)
        if where is None:
            return _counted(text, ((d, None) for d in self.detectors))
        return _counted(text, self._gated(where))

    def _gated(self, where: dict[int, list]) -> Iterable[tuple[Detector, list]]:
        """The detectors the gate saw a candidate for, in their order, each with its patterns' windows."""
        for index in sorted({self._owner[pattern_id] for pattern_id in where}):
            yield self.detectors[index], [where.get(i, ()) for i in self._ids[index]]


def _counted(text: str, work: Iterable[tuple[Detector, list | None]]) -> tuple[Hit, ...]:
    """Hits of detectors run in order, each span counted for the first (most specific) one that validated it."""
    claimed = bytearray(len(text))
    hits = []
    for detector, spans in work:
        if not detector.claims_spans:
            count = detector.count(text, spans)
        else:
            kept = [(v, s, e) for v, s, e in detector.find(text, spans) if claimed.find(1, s, e) == -1]
            for _, start, end in kept:
                claimed[start:end] = b"\x01" * (end - start)
            count = len({v for v, _, _ in kept})
        if count:
            hits.append(Hit(detector.category, detector.name, count))
    return tuple(hits)


DEFAULT = GatedDetectors(DEFAULT_DETECTORS)


def scan(text: str, detectors: Iterable[Detector] | None = None) -> tuple[Hit, ...]:
    """Every detector's count on ``text`` after normalisation; detectors that found nothing are left out."""
    text = normalise(text[:MAX_SCAN_CHARS])
    if detectors is None:
        return DEFAULT.scan(text)
    return _counted(text, ((d, None) for d in detectors))


__all__ = ["DEFAULT_DETECTORS", "Detector", "Hit", "scan"]
