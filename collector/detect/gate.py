"""One compiled pass over the text that says where each pattern can match: the detectors' gate.

Running every detector's Python regex over the whole text costs about a millisecond per 2 KB
prompt, almost all of it spent where nothing matches. A Hyperscan database of all patterns
(native, SIMD, one pass, linear) finds the places where a pattern *can* match; the exact
Python patterns, context words and checksums then run only on those spans.

Each gate expression is the detector's own pattern with what Hyperscan cannot express taken
out (lookarounds, ``\\b``): a larger language that matches the same spans, so the gate never
hides a match, it only lets a few more candidates through to the exact check. Hyperscan reports
where matches end; a match of the exact pattern is no longer than its longest possible width
(from Python's own parser), which bounds where it can start. Start-of-match tracking would be
exact, but it makes the scan two to three times slower. Hyperscan reads
bytes: the text is encoded one byte per character (Latin-1, other characters mapped to a
letter, a digit or ``?`` of the same class) so that offsets are character offsets.

A detector may instead give a pattern a *trigger*: a short expression that matches the character
before any match of the pattern and the match's first characters (``[^\\w][A-Z]{2}[0-9]{2}`` for an
IBAN). The gate then says where a match can *start*, not a window to search: the exact pattern is
tried there with ``re.match``, without scanning the rest of a window, and a trigger is cheaper for
Hyperscan than the whole pattern (no long bounded repeats) and fires once per candidate, not once
per place where a candidate could end. The text is scanned with one space before it, so a trigger's
first character always exists and offsets in the scanned bytes are the match's start offsets.

A pattern whose matches split at one separator byte (an e-mail address at its ``@``) can be gated whole
without start-of-match tracking and still report where a match starts: a ``BackScan`` reads back from the
end Hyperscan reports, over the characters after the separator to the separator, then over at most
``longest_head`` characters that can come before it. The match starts in that run; memory of the last
separator found keeps the reading linear when many reports end in one long run.

A phone number's trigger has starts too varied for a window (8 to 63 characters before its end) and
start-of-match tracking costs its scan more than it saves; its grammar is simple enough to read back instead.
A ``NumberTrigger`` (digits joined by ``)``, one separator and ``(``, opened by ``+`` or ``00`` and ``(``,
six to fifteen digits, a character that is not part of a word on both sides) is gated without the tracking,
and the C scan reads each reported end back to the leftmost start of a match ending there: the start the
tracking would have reported (tested against it), at less than half its cost.

The scan itself runs in C where ``collector/detect/_gatescan.c`` was built (against Debian's
libhyperscan-dev): its matches are collected and merged by the same rules as here without a Python
call per match (~34 on a 2 KB shop prompt). Without it the ``hyperscan`` Python binding scans and this
module merges; without either (optional native parts) the gate answers "scan everything" and
detection runs the same patterns over the whole text: same results, slower.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import re._parser
import threading
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from collector.detect import gate_cache

logger = logging.getLogger(__name__)

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised only where the wheel cannot be installed
    hyperscan = None
try:
    from collector.detect import _gatescan
except ImportError:  # not built: no libhyperscan-dev where the package was installed
    _gatescan = None

ENGINES = ("c", "hyperscan")
"""What scans, best first: the C scan (``_gatescan``), the Python binding with merging in Python."""

Span = tuple[int, int]
MAX_WIDTH = 4096
"""A pattern's matches are sought at most this far before where the gate saw one end."""
WORD_CHARS = r"\w\xaa\xb5\xba\xc0-\xd6\xd8-\xf6\xf8-\xff"
"""What Python's ``\\w`` matches among the bytes the gate sees (ASCII word characters and Latin-1 letters)."""

NOT_WORD = f"[^{WORD_CHARS}]"
"""A character before a word, as the gate sees it: where a trigger for a pattern opening with ``\\b`` starts."""

_LOOKAROUND = re.compile(r"\(\?<?[!=](?:\\.|\[(?:\\.|[^\]\\])*\]|[^()\\])*\)")
_TRAILING_LOOKAHEAD = re.compile(r"\(\?!(\[[^\]]+\]|\\d)\)$")
WIDE = 256
"""Patterns whose matches can be longer than this get exact match starts (Hyperscan's SOM): their
windows would otherwise cover most of a prompt, and the exact check would run over all of it.
SOM is costly (it doubled the gate's scan time on shop prompts), so narrower patterns go without."""
_LONG_REPEAT = re.compile(r"\{(\d+),(\d+)\}")
LONGEST_BOUNDED_REPEAT = 20
"""Longer bounded repeats are opened up in the gate (``{1,64}`` → ``{1,}``): Hyperscan's start-of-match
tracking refuses the largest of them, and the wider language still covers every match."""


def _one_byte_per_char(error: UnicodeEncodeError) -> tuple[str, int]:
    """Characters outside Latin-1 become a stand-in of their class, keeping every offset."""
    chars = error.object[error.start:error.end]
    return "".join("0" if c.isdigit() else "x" if c.isalnum() else "?" for c in chars), error.end


codecs.register_error("douane-gate", _one_byte_per_char)


def gate_bytes(text: str) -> bytes:
    """``text`` as the gate reads it: one byte per character."""
    return text.encode("latin-1", "douane-gate")


def gate_expression(pattern: str) -> bytes:
    """A Hyperscan expression matching every span ``pattern`` matches (lookarounds and ``\\b`` dropped,
    long repeats opened up, ``\\w`` widened to Latin-1 letters)."""
    source = _TRAILING_LOOKAHEAD.sub(_consumed, pattern)  # a match ends where a run ends: one report, not many
    source = _LOOKAROUND.sub("", source).replace(r"\b", "")
    source = _LONG_REPEAT.sub(lambda m: m[0] if int(m[2]) <= LONGEST_BOUNDED_REPEAT else f"{{{m[1]},}}", source)
    out: list[str] = []
    in_class, i = False, 0
    while i < len(source):
        if source[i] == "\\":
            escape = source[i:i + 2]
            out.append((WORD_CHARS if in_class else f"[{WORD_CHARS}]") if escape == r"\w" else escape)
            i += 2
            continue
        if source[i] == "[" and not in_class:
            in_class = True
        elif source[i] == "]" and in_class:
            in_class = False
        out.append(source[i])
        i += 1
    return "".join(out).encode("latin-1", "douane-gate")


def _consumed(lookahead: re.Match) -> str:
    """``(?![\\d-])`` at the end of a pattern → ``(?:[^\\d-]|$)``: the gate match takes the next character."""
    inner = lookahead[1]
    return f"(?:[^{inner[1:-1] if inner.startswith('[') else inner}]|$)"


@dataclass(frozen=True)
class BackScan:
    """How to find where a gated pattern's match starts from where it ends: back over ``tail`` characters (a
    regex class body) to ``separator``, then back over at most ``longest_head`` ``head`` characters."""

    tail: str
    separator: str
    head: str
    longest_head: int

    def tables(self, caseless: bool) -> tuple[bytes, int, bytes]:
        """The two classes as 256-byte membership tables of the gate's bytes, and the separator's byte. A
        character outside Latin-1 is read as its stand-in (``x``, ``0``, ``?``), which the tables hold where
        the class holds any letter or digit."""
        return _byte_table(f"[{self.tail}]", caseless), ord(self.separator), _byte_table(f"[{self.head}]", caseless)


@dataclass(frozen=True)
class NumberTrigger:
    """A trigger for a number written with separators: a character not in ``not_before``, then ``+`` or ``00``
    (optional), ``(`` (optional), ``fewest`` to ``most`` digits joined by ``)``, one of `` ./-`` and ``(`` (each
    optional, in that order), ``)`` (optional) and a character not in ``not_after`` or the end of the text.

    The C scan finds where its matches start by reading back from their ends (``_gatescan.c``), where the Python
    binding asks Hyperscan to track them; both give the same ranges."""

    fewest: int
    most: int
    not_before: str
    not_after: str

    def __post_init__(self) -> None:
        if not 1 <= self.fewest <= self.most <= LONGEST_BOUNDED_REPEAT + 1:
            raise ValueError(f"a number trigger counts 1 to {LONGEST_BOUNDED_REPEAT + 1} digits (a longer repeat is "
                             f"opened up in the gate, and its starts could no longer be read back): "
                             f"{self.fewest}-{self.most}")

    @property
    def expression(self) -> str:
        """The trigger as a regular expression (the text the gate compiles)."""
        return (rf"[^{self.not_before}](?:\+|00)?\(?[0-9](?:\)?[ ./-]?\(?[0-9]){{{self.fewest - 1},{self.most - 1}}}"
                rf"\)?(?:[^{self.not_after}]|$)")

    def tables(self, caseless: bool) -> tuple[bytes, bytes]:
        """The characters before and after a match, as 256-byte membership tables of the bytes Hyperscan reads."""
        return _byte_table(f"[^{self.not_before}]", caseless), _byte_table(f"[^{self.not_after}]", caseless)


def _byte_table(expression: str, caseless: bool) -> bytes:
    """Which bytes a one-character class matches as the gate compiles it (``\\w`` and case folding are ASCII there,
    as in Hyperscan)."""
    member = re.compile(gate_expression(expression), re.IGNORECASE if caseless else 0).fullmatch
    return bytes(1 if member(bytes([byte])) else 0 for byte in range(256))


@dataclass(frozen=True)
class GatePattern:
    """One pattern for the gate: a Python pattern whose windows it reports, or a trigger whose starts it reports.

    ``exact_start`` asks Hyperscan for where matches start (costly; for windows of many short matches, or a
    trigger of very variable width). A ``trigger`` matches one character before a match and the match's
    opening; the gate then reports the offsets where the match can start. A trigger that matches further
    into the match says by ``before`` how many characters earlier it can start. A pattern with a ``back`` scan is
    gated whole and reports, like a trigger, where its matches start (see ``BackScan``). A trigger with a ``number``
    is that ``NumberTrigger``'s expression, its starts tracked (``exact_start``) or, in the C scan, read back."""

    expression: str
    caseless: bool
    exact_start: bool = False
    trigger: bool = False
    before: int = 0
    back: BackScan | None = None
    number: NumberTrigger | None = None

    def __post_init__(self) -> None:
        if self.number is not None and (self.expression != self.number.expression or not self.trigger):
            raise ValueError(f"a number trigger's expression is its own: {self.number.expression!r}, not "
                             f"{self.expression!r}")


class Gate:
    """Where each of a list of patterns can match in a text; ``None`` from ``spans`` means "everywhere".

    For a window pattern ``spans`` gives windows to search; for a trigger, ranges of offsets where a
    match can start (both ends included)."""

    def __init__(self, patterns: Sequence[GatePattern | tuple], engine: str | None = None) -> None:
        """``patterns``: ``GatePattern``s or their fields as tuples; ids are their positions. ``engine``: one of
        ``ENGINES`` (else the best one installed; ``$DOUANE_GATE_ENGINE`` names one too)."""
        entries = [entry if isinstance(entry, GatePattern) else GatePattern(*entry) for entry in patterns]
        lengths = [re._parser.parse(entry.expression).getwidth() for entry in entries]
        widths = [min(MAX_WIDTH, high) for _, high in lengths]
        self._trigger = [entry.trigger or entry.back is not None for entry in entries]
        self._back = [None if entry.back is None else (*entry.back.tables(entry.caseless), entry.back.longest_head)
                      for entry in entries]  # (tail, separator, head, longest head) for a back-scanned pattern
        self._exact_start = [entry.exact_start or (width > WIDE and not trigger)
                             for width, entry, trigger in zip(widths, entries, self._trigger)]
        self._widths = [width + 1 for width in widths]  # + the character a consumed lookahead takes
        self._shortest = [low for low, _ in lengths]
        self._before = [entry.before for entry in entries]
        self._number = [entry.number if entry.exact_start else None for entry in entries]
        self._caseless = [entry.caseless for entry in entries]
        self._local = threading.local()
        self._database = self._c_scan = None
        self.engine = _engine(engine or os.environ.get("DOUANE_GATE_ENGINE"))
        if self.engine == "c":
            self._c_scan = self._compile_c(entries)
        if self._c_scan is None and hyperscan is not None:
            self.engine, self._database = "hyperscan", self._compile(entries)
        if self._c_scan is None and self._database is None:
            self.engine = None
            logger.warning("hyperscan is not installed: personal-data detection runs in pure Python "
                           "(same results, 3-10x slower); pip install hyperscan")

    @property
    def native(self) -> bool:
        """Whether a compiled Hyperscan gate is in use (the C scan or the Python binding)."""
        return self.engine is not None

    def spans(self, text: str) -> dict[int, list[Span]] | None:
        """Per pattern id, the merged spans where it can match (ids absent: no match anywhere)."""
        if self._c_scan is not None:
            return self._c_scan.spans(b" " + gate_bytes(text))
        if self._database is None:
            return None
        found: defaultdict[int, list[Span]] = defaultdict(list)
        scanned = b" " + gate_bytes(text)
        self._database.scan(scanned, match_event_handler=_collect, context=found, scratch=self._scratch())
        where = {pattern_id: self._where(pattern_id, spans, scanned) for pattern_id, spans in found.items()}
        return {pattern_id: spans for pattern_id, spans in where.items() if spans}

    def _where(self, pattern_id: int, spans: list[Span], scanned: bytes) -> list[Span]:
        """The reports of one pattern (offsets in the text scanned with one space before it) as windows,
        or, for a trigger, as ranges of offsets where a match can start (a negative one reads as 0)."""
        if self._back[pattern_id] is not None:
            return _back_ranges(scanned, spans, *self._back[pattern_id])
        if self._trigger[pattern_id]:
            shortest = self._shortest[pattern_id]
            if self._exact_start[pattern_id]:
                return _start_ranges(sorted(spans) if len(spans) > 1 else spans, self._before[pattern_id], shortest)
            return _end_ranges(spans, self._widths[pattern_id] - 1 + self._before[pattern_id], shortest)
        if self._exact_start[pattern_id]:
            return _merged([(max(0, start - 1), end - 1) for start, end in spans])
        return _merged_ends(spans, self._widths[pattern_id])

    def _scratch(self):
        scratch = getattr(self._local, "scratch", None)
        if scratch is None:  # Hyperscan's scratch space is per thread; the gateway scans in a pool
            scratch = self._local.scratch = hyperscan.Scratch(self._database)
        return scratch

    def _merge_rules(self) -> list[tuple[int, int, int]]:
        """Per pattern, how the C scan merges its reports: the rule ``_where`` applies, and its two numbers."""
        rules: list[tuple] = []
        for pattern_id, (trigger, exact) in enumerate(zip(self._trigger, self._exact_start)):
            if self._back[pattern_id] is not None:
                tail, separator, head, longest_head = self._back[pattern_id]
                rules.append((4, longest_head, separator, tail, head))
            elif self._number[pattern_id] is not None:
                number = self._number[pattern_id]
                rules.append((5, self._before[pattern_id], self._shortest[pattern_id], number.fewest, number.most,
                              *number.tables(self._caseless[pattern_id])))
            elif trigger and exact:
                rules.append((3, self._before[pattern_id], self._shortest[pattern_id]))
            elif trigger:
                rules.append((2, self._widths[pattern_id] - 1 + self._before[pattern_id], self._shortest[pattern_id]))
            else:
                rules.append((1, 0, 0) if exact else (0, self._widths[pattern_id], 0))
        return rules

    def _compile_c(self, patterns: Sequence[GatePattern]):
        """The database for the C scan, configured with the merge rules (None where it does not compile)."""
        flags, expressions = self._flags(patterns, _gatescan), [gate_expression(entry.expression) for entry in patterns]

        def compile_():
            try:
                return _gatescan.compile(expressions, flags)
            except _gatescan.error as exc:
                logger.warning("the C gate did not compile (%s): the Python binding scans", exc)
                return None

        for refresh in (False, True):
            database = gate_cache.cached(_gatescan, _gatescan.HS_MODE_BLOCK, expressions, flags, compile_, refresh)
            try:
                if database is not None:
                    database.configure(self._merge_rules())
                return database
            except _gatescan.error as exc:  # a kept file that loaded but does not fit these patterns
                logger.warning("the cached C gate does not fit (%s): compiling it again", exc)
        return None

    def _flags(self, patterns: Sequence[GatePattern], module) -> list[int]:
        """Hyperscan's flags per pattern; the C scan reads a number trigger's starts back, untracked."""
        tracked = [exact and (number is None or module is not _gatescan)
                   for exact, number in zip(self._exact_start, self._number)]
        return [(module.HS_FLAG_CASELESS if entry.caseless else 0) |
                (module.HS_FLAG_SOM_LEFTMOST if exact else 0) for entry, exact in zip(patterns, tracked)]

    def _compile(self, patterns: Sequence[GatePattern]):
        flags = self._flags(patterns, hyperscan)
        expressions = [gate_expression(entry.expression) for entry in patterns]

        def compile_():
            database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
            try:
                database.compile(expressions=expressions, ids=list(range(len(patterns))), elements=len(patterns),
                                 flags=flags)
            except hyperscan.error as exc:
                logger.warning("the Hyperscan gate did not compile (%s): detection runs in pure Python", exc)
                return None
            return database

        return gate_cache.cached(hyperscan, hyperscan.HS_MODE_BLOCK, expressions, flags, compile_)


def _engine(asked: str | None) -> str | None:
    """The engine to use: the one asked for where it is installed, else the best installed one."""
    installed = [name for name, module in zip(ENGINES, (_gatescan, hyperscan)) if module is not None]
    if asked and asked not in ENGINES:
        raise ValueError(f"unknown gate engine {asked!r}: one of {', '.join(ENGINES)}")
    if asked in installed:
        return asked
    return installed[0] if installed else None


def _collect(pattern_id: int, start: int, end: int, _flags: int, found: defaultdict[int, list[Span]]) -> None:
    found[pattern_id].append((start, end))


def _merged(spans: list[Span]) -> list[Span]:
    """Windows where a match can lie, joined where they overlap, where the gate knows their starts.
    Ends arrive in ascending order; starts need not."""
    if len(spans) == 1:
        return spans
    windows = sorted(spans)
    merged = [windows[0]]
    for start, end in windows[1:]:
        if start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _start_ranges(spans: list[Span], before: int, shortest: int) -> list[Span]:
    """Ranges of offsets where a match can start, from a trigger's (start, end) reports in ascending order of
    start: ``start - before`` to ``end - shortest``, joined where they overlap or touch."""
    ranges: list[Span] = []
    low, high = spans[0][0] - before, spans[0][1] - shortest
    for start, end in spans:
        if start - before <= high + 1:
            if end - shortest > high:
                high = end - shortest
        else:
            ranges.append((low, high))
            low, high = start - before, end - shortest
    ranges.append((low, high))
    return ranges


def _end_ranges(spans: list[Span], longest: int, shortest: int) -> list[Span]:
    """Ranges of offsets where a match can start, from a trigger's reports in ascending order of end:
    ``end - longest`` to ``end - shortest``, joined where they overlap or touch (one pass, no sort)."""
    ranges: list[Span] = []
    low, high = spans[0][1] - longest, spans[0][1] - shortest
    for _, end in spans:
        if end - longest <= high + 1:
            high = max(high, end - shortest)  # ends ascend; max() keeps a window whole should one not
        else:
            ranges.append((low, high))
            low, high = end - longest, end - shortest
    ranges.append((low, high))
    return ranges


def _back_ranges(scanned: bytes, spans: list[Span], tail: bytes, separator: int, head: bytes,
                 longest_head: int) -> list[Span]:
    """Ranges of offsets where a match can start, from its ends (ascending) in the text scanned with one space
    before it: back over ``tail`` bytes to the separator, then back over at most ``longest_head`` ``head`` bytes.
    Bytes already read back over for an earlier end are not read again (the separator found then still holds)."""
    ranges: list[Span] = []
    read_to, at = 0, -1
    for _, end in spans:
        i = end - 1
        while i >= read_to and tail[scanned[i]]:
            i -= 1
        if i >= read_to:
            at = i
        read_to = end
        if at < 0 or scanned[at] != separator:
            continue
        j = at - 1
        while j >= 0 and at - j <= longest_head and head[scanned[j]]:
            j -= 1
        low, high = j, at - 2  # scanned offsets less the leading space
        if low > high:
            continue
        if ranges and low <= ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], max(high, ranges[-1][1]))
        else:
            ranges.append((low, high))
    return ranges


def _merged_ends(spans: list[Span], width: int) -> list[Span]:
    """``(end - width, end)`` windows of ascending ends, joined where they overlap (one pass, no sort); the
    ends are offsets in the text scanned with one space before it."""
    merged: list[Span] = []
    low, high = 0, -1
    for _, end in spans:
        end -= 1
        if end - width <= high:
            high = max(high, end)
        else:
            if high >= 0:
                merged.append((low, high))
            low, high = max(0, end - width), end
    merged.append((low, high))
    return merged
