"""Personal-data detection: small detectors, one category each, reporting counts and never values."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from collector.detect.address import PostalAddressDetector
from collector.detect.base import FEW_OFFSETS, LOOKAHEAD_CHARS, Detector, Hit
from collector.detect.contact import EmailDetector, PhoneDetector
from collector.detect.dob import DateOfBirthDetector
from collector.detect.gate import Gate, GatePattern
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

try:
    from collector.detect import _finder
except ImportError:  # not built (no C compiler where the package was installed): base.py's loop checks
    _finder = None

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
    """Detectors behind one gate: a single compiled pass finds candidates, each detector checks its own.

    Where ``_finder`` was built, the checks' loop runs in C (``_finder.c``) on the same compiled patterns, at
    the same offsets, with the same verdict cache and claims as base.py's ``find`` and ``_counted``; ``finder``
    says whether it does. A detector that searches in its own way (``find`` or ``count`` of its own) is called
    from there as it is from ``_counted``."""

    def __init__(self, detectors: tuple[Detector, ...], finder: bool = True) -> None:
        self.detectors = detectors
        self.finder = finder and _finder is not None
        self._ids: list[range] = []
        self._owner: list[int] = []  # pattern id -> index of the detector it belongs to
        patterns: list[GatePattern] = []
        for index, detector in enumerate(detectors):
            gated = detector.gate_patterns()
            self._ids.append(range(len(patterns), len(patterns) + len(gated)))
            self._owner.extend([index] * len(gated))
            patterns.extend(gated)
        self.gate = Gate(patterns)
        self.plan()

    def plan(self) -> None:
        """What the C loop needs of each detector, read again from the detectors (after one was changed)."""
        self._plans = tuple(_plan(detector, ids) for detector, ids in zip(self.detectors, self._ids))

    def scan(self, text: str) -> tuple[Hit, ...]:
        """Every detector's count on ``text`` (already normalised); detectors that found nothing are left out."""
        return self.check(text, self.gate.spans(text))

    def check(self, text: str, where: dict[int, list] | None) -> tuple[Hit, ...]:
        """What ``scan`` does after the gate: each detector's exact checks within the spans ``where`` gives its
        patterns (None: everywhere), and the claims that keep a span to one category."""
        if where is None:
            return _counted(text, ((d, None) for d in self.detectors))
        if self.finder:
            counts = _finder.counted(text, where, self._plans, FEW_OFFSETS, LOOKAHEAD_CHARS)
            return tuple(_hit(self.detectors[i], count) for i, count in counts)
        return _counted(text, self._gated(where))

    def _gated(self, where: dict[int, list]) -> Iterable[tuple[Detector, list]]:
        """The detectors the gate saw a candidate for, in their order, each with its patterns' windows."""
        for index in sorted({self._owner[pattern_id] for pattern_id in where}):
            yield self.detectors[index], [where.get(i, ()) for i in self._ids[index]]


@lru_cache(maxsize=4096)
def _hit(detector: Detector, count: int) -> Hit:
    """One hit, made once: the same few (detector, count) recur on every prompt and a ``Hit`` is immutable."""
    return Hit(detector.category, detector.name, count)


CHECKED_IN_C, OWN_FIND, OWN_COUNT = 0, 1, 2
"""How the C loop runs a detector: base.py's ``find`` done in C, or the detector's own ``find`` or ``count``."""


def _plan(detector: Detector, ids: range) -> tuple:
    """(detector, mode, contextual, verdicts or None, patterns) for ``_finder.counted``; a pattern is (gate id,
    compiled, triggered, group, reach) as base.py's ``find`` reads them, and the shape that matches it in C where
    ``_finder.SHAPES`` holds its source and flags (0: none, ``re`` matches it)."""
    kind = type(detector)
    if not detector.claims_spans:
        mode = OWN_COUNT
    elif kind.find is Detector.find and "find" not in vars(detector):
        mode = CHECKED_IN_C
    else:
        mode = OWN_FIND
    if mode == CHECKED_IN_C:
        known = _finder.SHAPES if _finder is not None else {}
        shapes = [known.get((p.pattern, int(p.flags)), 0) for p in kind._compiled]
        patterns = tuple(zip(ids, kind._compiled, kind._triggered, kind._groups, kind._reach, shapes))
    else:
        patterns = tuple((i, None, False, 0, 0, 0) for i in ids)
    return detector, mode, kind._contextual, None if _validates_nothing(detector) else kind._verdicts, patterns


def _validates_nothing(detector: Detector) -> bool:
    """Whether every match of ``detector`` is a value (no checksum, no ``validate`` of its own): the C loop then
    counts it without the verdict cache or a call into Python (e-mail addresses, postal addresses)."""
    kind = type(detector)
    return not detector.checks and kind.validate is Detector.validate and kind._checked is Detector._checked and \
        not {"validate", "_checked"} & vars(detector).keys()


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
