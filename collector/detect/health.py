"""Art. 9 GDPR special-category data: health terms in English, German, French, Spanish, Italian and Dutch.

Words, not diagnoses: a prompt that names a condition, a medicine or a treatment about a
person carries data concerning health (Art. 4(15)), which raises every finding's severity.
"""

from __future__ import annotations

import re

from collections.abc import Sequence

from collector.detect.base import Detector, Span

TERMS = {
    "en": r"diabet\w*|pregnan\w*|allerg\w*|asthma|cancer|depression|prescription|diagnos\w*|insulin|"
          r"epilep\w*|hiv|chemotherapy|medication|disabilit\w*|blood pressure|celiac|coeliac",
    "de": r"diabetes|diabetiker\w*|schwanger\w*|allergi\w*|asthma|krebs|depression\w*|rezeptpflichtig\w*|"
          r"verschreibung\w*|diagnose\w*|insulin|"
          r"epilepsie|zöliakie|laktoseintoleranz|medikament\w*|behinderung|blutdruck|krankheit\w*",
    "fr": r"diabète|enceinte|grossesse|allergi\w*|asthme|cancer|dépression|ordonnance|diagnostic|insuline|"
          r"épilepsie|maladie|médicament\w*|handicap|cœliaque",
    "es": r"diabetes|embarazada|embarazo|alergia\w*|asma|cáncer|depresión|receta médica|diagnóstico|insulina|"
          r"epilepsia|enfermedad|medicamento\w*|discapacidad|celiaqu\w*",
    "it": r"diabete|incinta|gravidanza|allergi\w*|asma|cancro|depressione|ricetta medica|diagnosi|insulina|"
          r"epilessia|malattia|farmac\w*|disabilità|celiachia",
    "nl": r"diabetes|zwanger\w*|allergie\w*|astma|kanker|depressie|recept|diagnose|insuline|epilepsie|"
          r"ziekte|medicijn\w*|handicap|coeliakie",
}


def _vocabulary() -> tuple[frozenset[str], tuple[str, ...], tuple[str, ...]]:
    """The terms split into exact words, word prefixes (``allerg\\w*``) and two-word phrases."""
    exact, prefixes, phrases = set(), set(), set()
    for term in "|".join(TERMS.values()).split("|"):
        if term.endswith(r"\w*"):
            prefixes.add(term[:-3])
        elif " " in term:
            phrases.add(term)
        else:
            exact.add(term)
    return frozenset(exact), tuple(sorted(prefixes)), tuple(sorted(phrases))


EXACT, PREFIXES, PHRASES = _vocabulary()
_HEADS = frozenset(p[:3] for p in PREFIXES)  # a word's first three letters rule most prefixes out at once
_WORD = re.compile(r"\w+")
_PHRASE = {p: re.compile(rf"(?<!\w){re.escape(p)}(?!\w)") for p in PHRASES}


class HealthTermsDetector(Detector):
    """Health conditions, medicines and treatments (Art. 9(1) GDPR) in six EU languages.

    Matched word by word rather than by one regex alternation per language: the text is split
    into words once and each word is looked up (exact terms in a set, prefixes by their first
    three letters), which is about ten times faster on shop prompts and gives the same counts.
    """

    name = "health_terms"
    category = "user.health_and_medical"

    def gate_patterns(self) -> tuple[tuple[str, bool], ...]:
        """Every term as a literal (prefixes without their ``\\w*``), in either case."""
        terms = sorted(EXACT | set(PREFIXES) | set(PHRASES))
        return (("|".join(_both_cases(t) for t in terms), True),)

    def count(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> int:
        """How many distinct health terms ``text`` holds (case-insensitive, whole words only)."""
        if spans is None:
            return len(_terms(text.lower()))
        found: set[str] = set()
        for start, end in spans[0]:
            found |= _terms(text[_word_start(text, start):_word_end(text, end)].lower())
        return len(found)


def _terms(lowered: str) -> set[str]:
    found = {w for w in _WORD.findall(lowered) if w in EXACT or (w[:3] in _HEADS and w.startswith(PREFIXES))}
    found.update(p for p in PHRASES if p in lowered and _PHRASE[p].search(lowered))
    return found


def _word_start(text: str, index: int) -> int:
    while index > 0 and (text[index - 1].isalnum() or text[index - 1] == "_"):
        index -= 1
    return index


def _word_end(text: str, index: int) -> int:
    while index < len(text) and (text[index].isalnum() or text[index] == "_"):
        index += 1
    return index


def _both_cases(term: str) -> str:
    """A literal for the gate: Hyperscan folds ASCII case only, so other letters get a class of both."""
    return "".join(f"[{c}{c.upper()}]" if not c.isascii() and len(c.upper()) == 1 else re.escape(c) for c in term)
