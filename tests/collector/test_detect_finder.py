"""The checks' loop in C (``_finder.c``) against base.py's Python loop: the same hits on the same gate spans.

The C loop calls the detectors' own patterns (or shapes equal to them), so a difference can only come from the
loop: an offset tried in another order, a window cut elsewhere, a claim kept or dropped. Each text here goes
through the gate once and its spans are checked both ways.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import collector.detect as detect
from collector.detect import DEFAULT, DEFAULT_DETECTORS, FEW_OFFSETS, LOOKAHEAD_CHARS, GatedDetectors, normalise
from collector.detect.base import Detector
from collector.detect.address import PostalAddressDetector
from collector.detect.contact import EmailDetector, PhoneDetector
from collector.detect.financial import IbanDetector, PaymentCardDetector, VatDetector
from tests.collector.labelled_corpus import corpus
from tests.collector.test_detect_gate import HOSTILE, NEEDS_C_SCAN, PIECES

sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
from common import shop_prompt  # noqa: E402

PYTHON_LOOP = GatedDetectors(DEFAULT_DETECTORS, finder=False)
LABELLED = [prompt.text for prompt in corpus(seed=14, size=1200)]


def both_loops(text: str) -> tuple:
    """(C loop, Python loop) hits of one normalised text, both on the spans of the same gate's one pass."""
    text = normalise(text)
    where = DEFAULT.gate.spans(text)
    python_loop = detect._counted(text, DEFAULT._gated(where) if where is not None else
                                  ((d, None) for d in DEFAULT.detectors))
    return DEFAULT.scan(text), python_loop


@NEEDS_C_SCAN
def test_the_c_loop_is_built_and_in_use() -> None:
    assert detect._finder is not None, "collector/detect/_finder.c was not built: base.py's loop checks"
    assert DEFAULT.finder and not PYTHON_LOOP.finder


@pytest.mark.parametrize("seed", range(40))
def test_both_loops_agree_on_shop_prompts(seed: int) -> None:
    c_loop, python_loop = both_loops(shop_prompt(random.Random(seed)))
    assert c_loop == python_loop and c_loop


def test_both_loops_agree_on_the_labelled_corpus() -> None:
    differing = [text for text in LABELLED if (pair := both_loops(text))[0] != pair[1]]
    assert not differing, f"{len(differing)} of {len(LABELLED)} prompts differ, first: {differing[0]!r}"


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_both_loops_agree_on_hostile_inputs(text: str) -> None:
    c_loop, python_loop = both_loops(text)
    assert c_loop == python_loop


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_both_loops_agree_on_any_mix(text: str) -> None:
    c_loop, python_loop = both_loops(text)
    assert c_loop == python_loop


NEEDS_FINDER = pytest.mark.skipif(detect._finder is None, reason="_finder.c not built (the test above fails on CI)")


class Refusing(Detector):
    """A detector whose check fails loudly: the error must reach the caller, as it does from base.py."""

    name = "refusing"
    category = "user.test"
    patterns = (r"(\d{3})",)

    def validate(self, value: str) -> bool:
        raise RuntimeError(f"cannot judge a value of {len(value)} characters")


@NEEDS_FINDER
def test_an_error_in_a_check_reaches_the_caller() -> None:
    detectors = GatedDetectors((Refusing(),))
    assert detectors.finder
    with pytest.raises(RuntimeError, match="cannot judge a value of 3 characters"):
        detectors.scan("order 123")


def test_without_the_c_loop_detection_runs_base_py_loop(monkeypatch) -> None:
    text = normalise(shop_prompt(random.Random(3)))
    expected = DEFAULT.scan(text)
    monkeypatch.setattr(detect, "_finder", None)  # as where _finder.c could not be built
    detectors = GatedDetectors(DEFAULT_DETECTORS)
    assert not detectors.finder
    assert detectors.scan(text) == expected and expected


class Miscounting(Detector):
    """A detector whose own count is not a count."""

    name = "miscounting"
    category = "user.test"
    patterns = (r"(\d{3})",)
    claims_spans = False

    def count(self, text: str, spans=None) -> int:
        return -1


@NEEDS_FINDER
def test_a_count_that_is_not_one_is_named() -> None:
    with pytest.raises(ValueError, match="answered -1, not a count"):
        GatedDetectors((Miscounting(),)).scan("order 123")


@NEEDS_FINDER
def test_a_detector_changed_after_planning_is_read_again_by_plan() -> None:
    detectors = GatedDetectors(DEFAULT_DETECTORS)
    text = "Meine IBAN: DE89 3704 0044 0532 0130 00"
    assert [hit.detector for hit in detectors.scan(text)] == ["iban"]
    iban = next(detector for detector in detectors.detectors if detector.name == "iban")
    iban.find = lambda text, spans=None: []
    try:
        detectors.plan()
        assert [hit.detector for hit in detectors.scan(text)] == []
    finally:
        del iban.find
        detectors.plan()
    assert [hit.detector for hit in detectors.scan(text)] == ["iban"]


def test_only_detectors_that_validate_nothing_go_without_the_verdict_cache() -> None:
    """E-mail and postal addresses have no checksum: the C loop counts their matches without the cache or a call
    into Python; a detector with checks, a ``validate`` of its own (on the class or the instance) keeps it."""
    detectors = GatedDetectors(DEFAULT_DETECTORS)
    checked_in_c = [plan for plan in detectors._plans if plan[1] == detect.CHECKED_IN_C]
    assert {plan[0].name for plan in checked_in_c if plan[3] is None} == {"email", "postal_address"}
    email = next(detector for detector in detectors.detectors if detector.name == "email")
    email.validate = lambda value: not value.startswith("anna")
    type(email)._verdicts.clear()  # the class's cache: judged before by the default validate
    try:
        detectors.plan()
        assert next(plan for plan in detectors._plans if plan[0] is email)[3] is type(email)._verdicts
        assert detectors.scan("anna@web.de, bob@web.de") == detectors.check("anna@web.de, bob@web.de", None)
        assert [(hit.detector, hit.count) for hit in detectors.scan("anna@web.de, bob@web.de")] == [("email", 1)]
    finally:
        del email.validate
        type(email)._verdicts.clear()
        detectors.plan()
    assert [(hit.detector, hit.count) for hit in detectors.scan("anna@web.de, bob@web.de")] == [("email", 2)]


@NEEDS_FINDER
@pytest.mark.parametrize("plans, message", [
    (("not a plan",), "a plan is (detector, mode, contextual, verdicts, patterns)"),
    (((Refusing(), 0, False, {}, ((0, None, False),)),),
     "a plan's pattern is (id, compiled, triggered, group, reach, shape)"),
    (((Refusing(), 0, False, [], ((0, re.compile("1"), False, 0, 8, 0),)),),
     "a plan's verdicts are a dict, or None where nothing is validated"),
])
def test_a_malformed_plan_is_named(plans: tuple, message: str) -> None:
    with pytest.raises(TypeError, match=re.escape(message)):
        detect._finder.counted("1", {0: [(0, 0)]}, plans, FEW_OFFSETS, LOOKAHEAD_CHARS)


SHAPED = {PaymentCardDetector: 1, VatDetector: 2, IbanDetector: 3, EmailDetector: 4, PhoneDetector: 5}
PIECES_BY_SHAPE = {
    1: ["4111", "1111", " ", "-", "0", "12", "٣", "x", "\n", "5500 0000 0000 0004", "--", "  "],
    2: ["DE", "AT", "SK", "XX", "de", "123", "45678", " ", ".", "A", "_", "ü", "9", "..", "  "],
    3: ["DE89", "de89", "GB", "3704", "0044", " ", "ı", "İ", "ſ", "K", "AB12", "x", "_", "9", "é", "0532 0130 00"],
    4: ["anna", ".", "@", "web", "de", "-", "+", "%", "_", "x" * 30, "co", "ı", "K", "ü", "9", "a@b.c", " ", ".."],
    5: ["+", "00", "0", "49", "(", ")", "30", "12345", "123456", " ", ".", "/", "-", "x", "٣", "_", "1",
        "+49 30 1234567", "(0)"],
    6: ["Tor", "straße", "strasse", "str.", " ", "5", "12", "123456", "a", "b", "Ä", "ß", "via", "viale", "le", "Via",
        "X", "-", ".", "_", "rd.", "road", "St", "weg", "é", "٣", "Hauptstraße 5", "3", ",", "Tor-Platz"],
    7: ["10115 ", "1011", "5", " ", "Berlin", "B", "É", "Ä", "tz", "é", "è", "à", "ß", "ö", "-", "Mark", "x", "X", "_",
        "٣", "ç", "am", "Main", "a" * 31],
}
"""What each shape's pattern is made of, its look-alikes, and the characters whose case folds into ASCII."""


STREET_AND_NUMBER, POSTCODE_AND_TOWN = 6, 7


@NEEDS_FINDER
@pytest.mark.parametrize("detector, index, shape", [*((d, 0, shape) for d, shape in SHAPED.items()),
                                                    (PostalAddressDetector, 0, STREET_AND_NUMBER),
                                                    (PostalAddressDetector, 3, POSTCODE_AND_TOWN)],
                         ids=lambda x: getattr(x, "name", x))
def test_the_shaped_patterns_are_the_ones_their_shapes_were_written_for(detector: type[Detector], index: int,
                                                                        shape: int) -> None:
    pattern = detector._compiled[index]
    assert detect._finder.SHAPES.get((pattern.pattern, int(pattern.flags))) == shape, \
        f"{detector.name}'s pattern changed: mend its shape in _shapes.h (or the loop falls back to re, slower)"


@NEEDS_FINDER
@pytest.mark.parametrize("shape", sorted(PIECES_BY_SHAPE))
@settings(max_examples=2000, deadline=None)
@given(data=st.data())
def test_a_shape_matches_where_and_as_far_as_its_pattern_does(shape: int, data) -> None:
    source, flags = next(key for key, value in detect._finder.SHAPES.items() if value == shape)
    pattern = re.compile(source, flags)
    text = "".join(data.draw(st.lists(st.sampled_from(PIECES_BY_SHAPE[shape]), max_size=14)))
    pos = data.draw(st.one_of(st.just(0), st.integers(-2, len(text) + 1)))
    endpos = data.draw(st.one_of(st.just(len(text)), st.integers(0, len(text) + 2)))
    match = pattern.match(text, pos, endpos)
    assert detect._finder.shape_match(shape, text, pos, endpos) == (None if match is None else match.span(1))


@pytest.mark.parametrize("text", ["Kundennummer 1234567890123456 030 12345678",
                                  "Tel 1234-56789-01234-5678/030 12345678 bitte"])
def test_a_phone_number_right_after_a_long_reference_number_is_found(text: str) -> None:
    """The phone trigger's tracked starts lead the check to the number itself; tried from every offset before it
    (an untracked trigger, as a review found), the pattern first took the reference and the number with it."""
    assert "phone" in {hit.detector for hit in detect.scan(text)}
    c_loop, python_loop = both_loops(text)
    assert c_loop == python_loop
