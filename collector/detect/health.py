"""Art. 9 GDPR special-category data: health terms in English, German, French, Spanish, Italian and Dutch.

Words, not diagnoses: a prompt that names a condition, a medicine or a treatment about a
person carries data concerning health (Art. 4(15)), which raises every finding's severity.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from collector.detect.base import Detector, Span
from collector.detect.gate import GatePattern

TERMS = {
    "en": r"diabet\w*|pregnan\w*|allerg\w*|asthma|cancer|depression|prescription|diagnos\w*|insulin|"
          r"epilep\w*|hiv|chemotherapy|medication|disabilit\w*|blood pressure|celiac|coeliac|rheumat\w*|"
          r"migraine\w*|hypertension|eczema|arthrosis|osteoarthritis|arthritis",
    "de": r"diabetes|diabetiker\w*|schwanger\w*|allergi\w*|asthma|krebs|depression\w*|rezeptpflichtig\w*|"
          r"verschreibung\w*|diagnose\w*|insulin|rheuma\w*|migräne|hypertonie|bluthochdruck|ekzem\w*|"
          r"neurodermitis|arthrose|arthritis|"
          r"epilepsie|zöliakie|laktoseintoleranz|medikament\w*|behinderung|blutdruck|krankheit\w*",
    "fr": r"diabète|enceinte|grossesse|allergi\w*|asthme|cancer|dépression|ordonnance|diagnostic|insuline|"
          r"épilepsie|maladie|médicament\w*|handicap|cœliaque|rhumatisme\w*|migraine\w*|hypertension|"
          r"eczéma|arthrose|arthrite",
    "es": r"diabetes|embarazada|embarazo|alergia\w*|asma|cáncer|depresión|receta médica|diagnóstico|insulina|"
          r"epilepsia|enfermedad|medicamento\w*|discapacidad|celiaqu\w*|reuma\w*|migraña\w*|hipertensión|"
          r"eccema|artrosis|artritis",
    "it": r"diabete|incinta|gravidanza|allergi\w*|asma|cancro|depressione|ricetta medica|diagnosi|insulina|"
          r"epilessia|malattia|farmaco|farmaci|disabilità|celiachia|reumatismo|emicrania|ipertensione|eczema|"
          r"artrosi|artrite",
    "nl": r"diabetes|zwanger\w*|allergie\w*|astma|kanker|depressie|op recept|doktersrecept|diagnose|insuline|"
          r"epilepsie|ziekte|medicijn\w*|handicap|coeliakie|reuma\w*|migraine|hypertensie|hoge bloeddruk|"
          r"eczeem|artrose|artritis",
}
"""Conditions, medicines and treatments; ``\\w*`` marks a prefix. "recept" (Dutch: recipe as well as
prescription) and "farmacia" (Italian: a pharmacy, the business) were dropped for their other sense."""

COMPOUND_ENDINGS = ("allergie", "allergien", "allergiker", "allergikerin", "allergy", "allergies")
"""German and Dutch write allergies as one word (Nussallergie, pinda-allergie, notenallergie)."""

AMBIGUOUS = frozenset({"krebs", "cancer", "cáncer", "kanker", "cancro"})
"""Health words with another common sense (crab, a zodiac sign); counted unless that sense is near."""
OTHER_SENSES = re.compile(r"sternzeichen|horoskop|zodiac|horoscope|signe|signo|astro|segno|sterrenbeeld|krabbe|"
                          r"\bcrab|crabe|granchio|cangrejo|krab\b|meeresfr|seafood|recipe|rezept|recette|receta|"
                          r"ricetta|fleisch|claws?\b|cocktail", re.IGNORECASE)
OTHER_SENSE_WINDOW = 60


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
    claims_spans = False  # words, not identifiers: "Diabetes" next to a number takes nothing from it

    def gate_patterns(self) -> tuple[GatePattern, ...]:
        """Every term as a literal (prefixes without their ``\\w*``), in either case."""
        terms = sorted(EXACT | set(PREFIXES) | set(PHRASES))
        return (GatePattern("|".join(_both_cases(t) for t in terms), True),)

    def count(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> int:
        """How many distinct health terms ``text`` holds (case-insensitive, whole words only)."""
        regions = [(0, len(text))] if spans is None else \
            [(_word_start(text, start), _word_end(text, end)) for start, end in spans[0]]
        found: set[str] = set()
        for start, end in regions:
            for match in _WORD.finditer(text, start, end):
                word = match.group().lower()
                if _is_term(word) and (word not in AMBIGUOUS or not _other_sense(text, match)):
                    found.add(word)
            segment = text[start:end].lower()
            found.update(p for p in PHRASES if p in segment and _PHRASE[p].search(segment))
        return len(found)


def _is_term(word: str) -> bool:
    return word in EXACT or (word[:3] in _HEADS and word.startswith(PREFIXES)) or word.endswith(COMPOUND_ENDINGS)


def _other_sense(text: str, match: re.Match) -> bool:
    window = text[max(0, match.start() - OTHER_SENSE_WINDOW):match.end() + OTHER_SENSE_WINDOW]
    return OTHER_SENSES.search(window) is not None


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
