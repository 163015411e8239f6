r"""The detector plug-in: patterns and context words as class attributes, a checksum hook to validate.

A detector reports how many values of its category a text holds, never the values. Every
pattern is written without nested or overlapping unbounded quantifiers, so matching stays
linear in the text's length whatever a hostile sender puts in it.

Speed: a pattern that opens with a lookbehind, ``(?<!\d)(\d...``, makes Python's ``re`` try the
assertion at every position of the text. Written as ``(\d(?<!\d.)...`` (the same language: the
lookbehind now also spans the first character) the engine first jumps to a character that can
start a match, which makes these patterns about 2.5 times faster on shop prompts.
"""

from __future__ import annotations

import re
import re._parser
from abc import ABC
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar

from collector.detect.gate import BackScan, GatePattern, NumberTrigger

Span = tuple[int, int]
VERDICT_CACHE_SIZE = 50_000
"""Validation results kept per detector class (a value is a short string: a few MB at most)."""
LOOKAHEAD_CHARS = 8
"""How far past a gate span a pattern's lookahead may need to read."""
MAX_REACH = 100_000
"""A triggered pattern's match is sought at most this far after where it can start (patterns are bounded)."""
FEW_OFFSETS = 8
"""Ranges of start offsets shorter than this are tried offset by offset rather than searched (see ``_next``)."""


@dataclass(frozen=True)
class Hit:
    """``count`` values of ``category`` found by ``detector``."""

    category: str
    detector: str
    count: int


class Detector(ABC):
    """Finds one category of personal data. Subclasses set the class attributes; most need nothing else."""

    name: ClassVar[str]
    category: ClassVar[str]
    patterns: ClassVar[tuple[str, ...]]
    context: ClassVar[tuple[str, ...]] = ()  # when set, a match counts only with one of these words nearby
    not_context: ClassVar[tuple[str, ...]] = ()  # a match with one of these words nearby is something else
    context_window: ClassVar[int] = 60
    claims_spans: ClassVar[bool] = True  # its matches are identifiers: a span belongs to one of them only
    checks: ClassVar[tuple] = ()  # python-stdnum modules; a match counts when one of them validates it
    flags: ClassVar[int] = re.IGNORECASE
    pattern_flags: ClassVar[tuple[int, ...]] = ()  # one per pattern where they differ; else ``flags`` for all
    exact_start: ClassVar[bool] = False  # the gate reports where matches start too: short windows for many hits
    triggers: ClassVar[tuple[str | NumberTrigger | None, ...]] = ()  # per pattern, what the gate looks for instead
    trigger_exact_start: ClassVar[tuple[bool, ...]] = ()  # per trigger: its width varies a lot, the gate reports starts
    trigger_before: ClassVar[tuple[int, ...]] = ()  # per trigger: how far before it a match can start
    back_scans: ClassVar[tuple[BackScan | None, ...]] = ()  # per pattern: gated whole, its starts read back from its ends

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._verdicts: dict[str, bool] = {}
        cls._contextual = bool(cls.context or cls.not_context) or cls._in_context is not Detector._in_context
        if getattr(cls, "patterns", None):
            cls._flags = cls.pattern_flags or (cls.flags,) * len(cls.patterns)
            cls._compiled = tuple(re.compile(p, f) for p, f in zip(cls.patterns, cls._flags))
            cls._context = re.compile("|".join(cls.context), re.IGNORECASE) if cls.context else None
            cls._not_context = re.compile("|".join(cls.not_context), re.IGNORECASE) if cls.not_context else None
            triggers = cls.triggers or (None,) * len(cls.patterns)
            back_scans = cls.back_scans or (None,) * len(cls.patterns)
            cls._triggered = tuple(t is not None or b is not None for t, b in zip(triggers, back_scans))
            cls._groups = tuple(min(1, p.groups) for p in cls._compiled)
            cls._reach = tuple(min(MAX_REACH, re._parser.parse(p).getwidth()[1]) + LOOKAHEAD_CHARS for p in cls.patterns)

    def validate(self, value: str) -> bool:
        """Checksum or plausibility check of one match: the ``checks`` modules, or none to make."""
        return not self.checks or any(check.is_valid(value) for check in self.checks)

    def gate_patterns(self) -> tuple[GatePattern, ...]:
        """What the gate looks for, one per entry of ``patterns``: the pattern itself, or its trigger."""
        triggers = self.triggers or (None,) * len(self.patterns)
        exact = self.trigger_exact_start or (False,) * len(self.patterns)
        before = self.trigger_before or (0,) * len(self.patterns)
        back_scans = self.back_scans or (None,) * len(self.patterns)
        return tuple(self._gate_pattern(*entry)
                     for entry in zip(self.patterns, self._flags, triggers, exact, before, back_scans))

    def _gate_pattern(self, pattern: str, flags: int, trigger: str | NumberTrigger | None, exact_start: bool,
                      before: int, back: BackScan | None) -> GatePattern:
        """What the gate looks for in place of one pattern: the pattern read back from its ends, its trigger,
        or the pattern itself."""
        caseless = bool(flags & re.IGNORECASE)
        if back is not None:
            return GatePattern(pattern, caseless, back=back)
        if isinstance(trigger, NumberTrigger):
            return GatePattern(trigger.expression, caseless, exact_start, trigger=True, before=before, number=trigger)
        if trigger is not None:
            return GatePattern(trigger, caseless, exact_start, trigger=True, before=before)
        return GatePattern(pattern, caseless, self.exact_start)

    def count(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> int:
        """How many distinct valid values of this category ``text`` holds.

        ``spans``, one list per pattern, limits each pattern to where the gate saw it could match;
        without it the whole text is scanned. Each distinct value is validated once.
        """
        return len({value for value, _, _ in self.find(text, spans)})

    def find(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> list[tuple[str, int, int]]:
        """Every valid value in context, with where it lies: (value, start, end); a value may recur."""
        found: list[tuple[str, int, int]] = []
        verdicts, checked, in_context, contextual = self._verdicts, self._checked, self._in_context, self._contextual
        for i, pattern in enumerate(self._compiled):  # ``matches`` inlined: this loop is the hot path
            if spans is not None and self._triggered[i]:
                self._found_at(i, text, spans[i], found)
                continue
            for start, end in ((0, len(text)),) if spans is None else spans[i]:
                for match in pattern.finditer(text, start, end + LOOKAHEAD_CHARS):
                    if match.end() > end and (match := pattern.match(text, match.start())) is None:
                        continue  # it read into the margin, where the window cut the text, and fails whole
                    group = match.lastindex or 0
                    value = match.group(group)
                    verdict = verdicts.get(value)
                    if (checked(value) if verdict is None else verdict) and (not contextual or in_context(text, match)):
                        found.append((value, match.start(group), match.end(group)))
        return found

    def _found_at(self, i: int, text: str, starts: Sequence[Span], found: list[tuple[str, int, int]]) -> None:
        """``find`` for a triggered pattern, tried where the gate says a match can start (ranges of offsets,
        ascending). The first offset of a range is tried with ``match``; the rest, and what follows a match
        that ends inside the range, with a search that reads no further than a match starting in the range
        could reach. The same matches as ``finditer`` over the whole text: each starts
        at the first offset after the previous one's end where the pattern matches, and every offset where
        it can match lies in a range."""
        pattern, reach, group = self._compiled[i], self._reach[i], self._groups[i]
        verdicts, checked, in_context, contextual = self._verdicts, self._checked, self._in_context, self._contextual
        done = 0
        for low, high in starts:
            if low < done:
                low = done
            if low > high:
                continue
            match = pattern.match(text, low) or (low < high and _next(pattern, text, low + 1, high, reach))
            while match:
                done = match.end()
                value = match.group(group)
                verdict = verdicts.get(value)
                if (checked(value) if verdict is None else verdict) and (not contextual or in_context(text, match)):
                    found.append((value, match.start(group), match.end(group)))
                match = done <= high and _next(pattern, text, done, high, reach)

    def matches(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> Iterator[tuple[int, re.Match]]:
        """(pattern index, match) of every pattern, within the gate's spans when given."""
        for i, pattern in enumerate(self._compiled):
            for start, end in ((0, len(text)),) if spans is None else spans[i]:
                for match in pattern.finditer(text, start, end + LOOKAHEAD_CHARS):
                    if match.end() > end:  # it reads into the margin, where the window cut the text: recheck
                        match = pattern.match(text, match.start())
                        if match is None:
                            continue
                    yield i, match

    def _checked(self, value: str) -> bool:
        """``validate``, remembered: checksums and libphonenumber are the costly part, and values recur."""
        verdict = self._verdicts.get(value)
        if verdict is None:
            if len(self._verdicts) >= VERDICT_CACHE_SIZE:
                self._verdicts.clear()  # bounded; a hostile stream of distinct values only costs re-checks
            verdict = self._verdicts[value] = self.validate(value)
        return verdict

    def _in_context(self, text: str, match: re.Match) -> bool:
        if self._context is None and self._not_context is None:
            return True
        window = text[max(0, match.start() - self.context_window): match.end() + self.context_window]
        before = text[max(0, match.start() - self.context_window):match.start()]
        if self._not_context is not None and self._not_context.search(before):
            return False  # "version 10.2.1.4", "order 4111 ...": the naming word comes before the value
        return self._context is None or self._context.search(window) is not None


def _next(pattern: re.Pattern, text: str, low: int, high: int, reach: int) -> re.Match | None:
    """The first match of ``pattern`` starting from ``low`` up to ``high``; it reads no further than such a match can.

    A search does not stop at ``high``: where nothing matches it tries every offset up to ``high + reach``, and
    a pattern that opens with an alternation (the VAT country codes) costs microseconds there. A few offsets
    are tried one by one instead (the same first match: a search is a match tried at each offset in turn)."""
    end = high + reach
    if high - low < FEW_OFFSETS:
        for offset in range(low, high + 1):
            if match := pattern.match(text, offset, end):
                return match
        return None
    match = pattern.search(text, low, end)
    return match if match is not None and match.start() <= high else None


def digits(value: str) -> str:
    """Only the digits of ``value``."""
    return "".join(filter(str.isdigit, value))  # a third of a generator's cost: no Python frame per character


def luhn_ok(number: str) -> bool:
    """The Luhn (mod 10) check used by payment cards."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0
