"""Person names (``user.name``, GDPR Art. 4(1): "a name" is the first identifier it lists).

Without a language model a name is told apart from the capitalised nouns, products and places
around it by what introduces it and by what it is made of:

- **Cues** say a name follows: an introduction ("my name is", "je m'appelle", "ich heiße"), a
  form label ("Name:", "Empfänger:", "Destinatario:"), a title ("Mr", "Sra.", "Frau" after a
  salutation), a greeting ("Hallo Anna") or a sign-off ("Viele Grüße, Jan").
- **A gazetteer** of common given names and surnames in the six languages
  (``data/names.txt``, written for Douane) recognises a name where no cue is near
  ("Giulia Rossi hat bestellt") and decides the weaker cues.

Look-alikes are refused by shape: a possessive or a hyphen after the name ("Victoria's Secret",
"Karl-Marx-Straße"), a number after it ("Jordan 4"), a street or place word before it
("Via Giuseppe Verdi", "San Sebastián") and a short list of brands that read as names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import Enum
from functools import cache
from pathlib import Path
from typing import NamedTuple

from collector.detect.base import Detector, Span

GAZETTEER = Path(__file__).with_name("data") / "names.txt"
UPPER, LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
TOKEN = rf"[{UPPER}](?:[{LOWER}]{{0,3}}['’]?[{UPPER}])?[{LOWER}]{{1,30}}(?:-[{UPPER}][{LOWER}]{{1,30}})?"
"""One capitalised name: Anna, Marie-Claire, O'Brien, McCarthy."""
PARTICLES = r"van|von|de|der|den|du|di|da|del|della|la|le|ten|ter|zu|y|dos|das|d'|l'"
NAME = re.compile(rf"{TOKEN}(?: (?:(?:{PARTICLES}) ?){{0,2}}{TOKEN}){{0,2}}")
"""A full name: up to three names, with particles between them (Jan de Vries, Lucía de la Fuente)."""
NAME_PART = re.compile(TOKEN)
WORD = re.compile(rf"(?<![\w'’-]){TOKEN}")
PRECEDING = re.compile(rf"{TOKEN} (?:(?:{PARTICLES}) ?){{0,2}}$")
"""The given name before a surname: "Mehmet " before "Hoffmann", "Lotte van der " before "Meulen"."""
STREET_OR_PLACE = frozenset(
    "rue avenue boulevard chemin place allée via viale piazza corso largo calle avenida plaza paseo carrer "
    "straße strasse str platz allee weg gasse straat laan plein gracht street road lane square "
    "san santa santo sankt st saint sainte são hotel café caffè restaurant".split())
"""A name after one of these words names a street, a place or a business, not a person."""
NOT_A_NAME = frozenset(
    "The Der Die Das Dem Den Des Ein Eine Le La Les Un Une El Los Las Una Il Lo Gli Het Een My Mein Meine Mon Ma "
    "Mi Mio Mia Your Ihr Bitte Please Kunde Kundin Customer Client Cliente Klant Team Support Service "
    "Herr Herrn Frau Madame Monsieur Señor Señora Signor Signora Miss Mr Mrs Ms Dr Prof Mme "
    "Sie Ihnen Euch Dich Dir Wir Uns Ich Vous Usted Ustedes Lei Voi Jullie".split())
"""Capitalised words that start a sentence, address the reader or name a role after a cue, never a name."""
COMPANY = frozenset("GmbH AG KG OHG UG Ltd Limited Inc LLC SARL SAS SA SL SpA Srl BV NV Co Company Café Caffè Cafe "
                    "Kaffee Rösterei Roastery Shop Store Markt Hotel Restaurant Bar Bistro Team Service Support".split())
"""Words in or right after a name-like phrase that make it a business ("Empfänger: Kaffee Rösterei GmbH")."""
SALUTATION = (r"sehr geehrte[rs]?|geehrte[rs]?|liebe[rs]?|hallo|guten (?:tag|morgen|abend)|dear|hello|hi|"
              r"bonjour|bonsoir|ch[èe]re?|estimad[oa]|querid[oa]|hola|buenos d[ií]as|gentile|egregio|gentilissim[oa]|"
              r"car[oa]|buongiorno|beste|geachte|goedemiddag|goedemorgen")


class Cue(Enum):
    """What introduces a name, and so how much of the name itself must be recognised."""

    INTRODUCTION = r"\b(?:my name is|my name's|i am called|je m['’]appelle|mon nom est|ich hei(?:ß|ss)e|" \
                   r"mein name ist|me llamo|mi nombre es|mi chiamo|il mio nome è|mijn naam is|ik heet) {1,3}"
    NAME_LABEL = r"(?<![\w-])(?:(?:(?:full|first|last) )?name|vor- und nachname|nachname|vorname|nom(?: complet)?|" \
                 r"prénom|nombre(?: completo)?|apellidos?|nome(?: completo)?|cognome|naam|voornaam|achternaam) ?: {0,3}"
    PERSON_LABEL = r"(?<![\w-])(?:recipient|empfänger(?:in)?|destinataire|destinatario|ontvanger|kunde|kundin|customer|" \
                   r"cliente|client|klant|titular|account holder|kontoinhaber(?:in)?|titulaire|intestatario|" \
                   r"rekeninghouder|ansprechpartner(?:in)?|contact person|persona de contacto|contactpersoon) ?: {0,3}" \
                   r"|\b(?:ship to|deliver to|lieferung an|z\. ?hd\.?|c/o|à l['’]attention de|a la atención de|" \
                   r"all['’]attenzione di|t\.a\.v\.) {1,3}"
    TITLE = r"(?<![\w.])(?:Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Mx\.?|Dr\.|Prof\.|Mme\.?|Mlle\.?|M\.|Sr\.|Sra\.|Srta\.|" \
            r"Sig\.(?:ra|na)?|Dott\.(?:ssa)?|[Dd]hr\.|[Mm]evr\.) {1,3}"
    TITLE_WORD = r"\b(?:Madame|Monsieur|Señor|Señora|Señorita|Signor|Signora|Signorina|Miss|[Mm]eneer|[Mm]evrouw|" \
                 r"de heer) {1,3}"
    GERMAN_TITLE = r"\b(?:Herrn?|Frau) {1,3}"  # German capitalises every noun: "meine Frau Kaffee" is no name
    SALUTED_TITLE = rf"\b(?:{SALUTATION}) {{1,3}}(?:herrn?|frau|madame|monsieur|señor|señora|señorita|signor|signora|" \
                    r"signorina|miss|meneer|mevrouw|heer) {1,3}"
    GREETING = rf"\b(?:{SALUTATION}|hey|hoi|salut|ciao) {{1,3}}"
    SIGN_OFF = r"\b(?:best regards|kind regards|regards|best wishes|cheers|thanks|thank you|many thanks|" \
               r"viele grü(?:ß|ss)e|liebe grü(?:ß|ss)e|beste grü(?:ß|ss)e|freundliche grü(?:ß|ss)e|" \
               r"mit freundlichen grü(?:ß|ss)en|gruß|danke|lg|vg|mfg|cordialement|bien à vous|bien cordialement|" \
               r"merci|saludos|un saludo|atentamente|gracias|cordiali saluti|distinti saluti|saluti|grazie|" \
               r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groetjes|groeten|mvg|bedankt)[,.!]?\s{1,4}"
    GIVEN_NAME = "given"  # no cue: gazetteer names, the patterns are built from the gazetteer below
    SURNAME = "surname"


CASE_SENSITIVE = frozenset({Cue.TITLE, Cue.TITLE_WORD, Cue.GERMAN_TITLE, Cue.GIVEN_NAME, Cue.SURNAME})
ANY_NAME = frozenset({Cue.INTRODUCTION, Cue.TITLE, Cue.TITLE_WORD, Cue.SALUTED_TITLE})
"""Cues after which any capitalised words are a name: introductions and titles."""
KNOWN_NAME = frozenset({Cue.NAME_LABEL, Cue.GERMAN_TITLE})
"""Cues after which one of the words must be a known given name or surname ("Name: Espresso Crema")."""
PERSON_BEFORE = frozenset("an für von bei chez pour de par para por per da voor van door bij to for from by mit avec "
                          "con met with und and et y e en".split())
PERSON_AFTER = frozenset("hat ist war möchte will wohnt bestellte has is was wants ordered paid lives a est veut "
                         "habite ha es fue quiere vive pagó è vuole abita heeft wil woont betaalde".split())
"""Words around a name without a cue that say it names someone: "für Anna Vogt", "Rocío Quiroga pagó"."""


class Gazetteer(NamedTuple):
    """Given names, surnames, and phrases that read as names but are brands or places."""

    given: frozenset[str]
    surnames: frozenset[str]
    not_persons: frozenset[str]


@cache
def gazetteer(path: Path = GAZETTEER) -> Gazetteer:
    """The names file read into sets: ``[first xx]`` and ``[last xx]`` sections of names, ``[brands]`` of phrases."""
    sections: dict[str, set[str]] = {"first": set(), "last": set(), "brands": set()}
    current = sections["first"]
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("["):
            current = sections[line.strip("[]").split()[0]]
        elif current is sections["brands"]:
            current.update(phrase.strip() for phrase in line.split(";") if phrase.strip())
        else:
            current.update(line.split())
    return Gazetteer(frozenset(sections["first"]), frozenset(sections["last"]), frozenset(sections["brands"]))


class PersonNameDetector(Detector):
    """Names of people in DE/FR/ES/IT/NL/EN text, found by cue words and a gazetteer of common names."""

    name = "person_name"
    category = "user.name"
    patterns = (*(cue.value for cue in Cue if cue not in (Cue.GIVEN_NAME, Cue.SURNAME)),
                rf"\b(?:{'|'.join(sorted(map(re.escape, gazetteer().given)))})(?![\w'-])",
                rf"\b(?:{'|'.join(sorted(map(re.escape, gazetteer().surnames)))})(?![\w'-])")
    pattern_flags = tuple(0 if cue in CASE_SENSITIVE else re.IGNORECASE for cue in Cue)
    kinds = tuple(Cue)

    def find(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> list[tuple[str, int, int]]:
        """Every name a cue introduces or the gazetteer recognises: (name, start, end)."""
        names = gazetteer()
        found: dict[int, tuple[str, int, int]] = {}
        for kind, start in self._candidates(text, spans, names):
            match = NAME.match(text, start)
            if match is None or start in found:
                continue
            parts = NAME_PART.findall(match[0])
            if self._accepted(kind, parts, names, text, match) and self._stands_alone(text, match, kind, names):
                found[start] = (match[0], start, match.end())
        return list(found.values())

    def _candidates(self, text: str, spans: Sequence[Sequence[Span]] | None,
                    names: Gazetteer) -> Iterator[tuple[Cue, int]]:
        """(cue, where a name would start): after each cue, and at each given name or surname the gate saw
        (without the gate: at every capitalised word, as one alternation of every name is slow in ``re``)."""
        gazetteer_patterns = len(self.kinds) - 2
        for i, match in self.matches(text, None if spans is None else [*spans[:gazetteer_patterns], (), ()]):
            if i < gazetteer_patterns:
                yield self.kinds[i], match.end()
        windows = sorted({*spans[-2], *spans[-1]}) if spans is not None else [(0, len(text))]
        for start, end in windows:
            for cut in WORD.finditer(text, start, end):
                word = WORD.match(text, cut.start())  # the whole word, where the window ended inside it
                if word[0] in names.given:
                    yield Cue.GIVEN_NAME, word.start()
                elif word[0] in names.surnames:
                    before = PRECEDING.search(text, max(0, word.start() - 48), word.start())
                    named = before is not None and before[0].split()[0] not in NOT_A_NAME
                    yield Cue.SURNAME, before.start() if named else word.start()

    @staticmethod
    def _accepted(kind: Cue, parts: list[str], names: Gazetteer, text: str, match: re.Match) -> bool:
        """Whether the words after ``kind`` of cue are a name: the weaker the cue, the more must be known."""
        if kind in ANY_NAME or (kind in (Cue.PERSON_LABEL, Cue.SIGN_OFF) and len(parts) > 1) or \
                (kind is Cue.SIGN_OFF and "\n" in text[max(0, match.start() - 3):match.start()]):
            return len(parts) > 1 or parts[0] not in NOT_A_NAME
        known = [part in names.given or part in names.surnames for part in parts]
        if kind in KNOWN_NAME or kind is Cue.PERSON_LABEL:
            return any(known)
        if kind in (Cue.GREETING, Cue.SIGN_OFF):
            return parts[0] in names.given
        if len(parts) < 2 or not any(known):
            return False
        if parts[0] in names.given and any(part in names.surnames for part in parts[1:]):
            return True
        if parts[0] not in names.given and parts[-1] not in names.surnames:
            return False  # "Die Sommer Edition ist ...": a surname that is also a noun, in front
        before, after = text[max(0, match.start() - 12):match.start()].split(), text[match.end():match.end() + 12].split()
        return bool(before and before[-1].lower() in PERSON_BEFORE or after and after[0] in PERSON_AFTER)

    @staticmethod
    def _stands_alone(text: str, match: re.Match, kind: Cue, names: Gazetteer) -> bool:
        """Not a possessive, a hyphenated street or a numbered product, not after a street or place word,
        and not a brand that reads as a name."""
        following = text[match.end():match.end() + 2]
        if following[:1] in ("-", "'", "’") or (kind in (Cue.GIVEN_NAME, Cue.SURNAME) and following[1:2].isdigit()):
            return False
        before = text[max(0, match.start() - 24):match.start()].split()
        if before and before[-1].rstrip(".").lower() in STREET_OR_PLACE:
            return False
        after = text[match.end():match.end() + 12].replace(",", " ").split()[:1]
        if any(part.rstrip(".") in COMPANY for part in match[0].split() + after):
            return False
        phrases = (match[0] + " ", " ".join(before[-1:] + [match[0]]) + " ")
        return not any(phrase.startswith(brand + " ") for phrase in phrases for brand in names.not_persons)
