"""Person names (``user.name``, GDPR Art. 4(1): "a name" is the first identifier it lists).

Without a language model a name is told apart from the capitalised nouns, products and places
around it by what introduces it and by what it is made of:

- **Cues** say a name follows: an introduction ("my name is", "je m'appelle", "ich heiße"), a
  form label ("Name:", "Empfänger:", "Destinatario:"), a title ("Mr", "Sra.", "Frau" after a
  salutation), a greeting ("Hallo Anna") or a sign-off ("Viele Grüße, Jan").
- **Frames** say a pair of capitalised words is a person even when neither word is known: who a
  parcel or an invoice is for ("le colis est pour", "el pedido es para"; "la commande de", "chez"),
  whom a thing is sent to ("ship it to", "spedite il pacco a", German "an … liefern"), and an action
  only a person takes right after it ("pagó", "ha pagato", "hat … angerufen", "was charged").
- **A gazetteer** of common given names and surnames in the six languages
  (``data/names.txt``, written for Douane) recognises a name where no cue is near
  ("Giulia Rossi hat bestellt") and decides the weaker cues. A hyphenated given name is known
  when each of its parts is ("Jean-Baptiste"); a capitalised particle belongs to the surname
  after it ("Lo Russo", "Le Goff").

Look-alikes are refused by shape: a possessive or a hyphen after the name ("Victoria's Secret",
"Karl-Marx-Straße"), a number after it ("Jordan 4"), a street or place word before it
("Via Giuseppe Verdi", "San Sebastián"), a business word in or after it ("Costa Coffee") and a
short list of brands that read as names. Word lists: ``name_words.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from enum import Enum
from functools import cache
from pathlib import Path
from typing import NamedTuple

from collector.detect.base import Detector, Span
from collector.detect.name_words import (ASK_FOR, AUXILIARIES, BENEFICIARY, CALENDAR, CAPITAL_PARTICLES,
                                         COLLECTED_BY, COMPANY, ISSUED_TO, NOT_A_NAME, PERSON_ACTS, PERSON_AFTER,
                                         PERSON_BEFORE, PERSON_DONE, PLACE_OPENERS, RELATION, SALUTATION, SELF,
                                         SENDING, SENT_TO, SHIPPED_TO, SPEAKING, STREET_ENDINGS, STREET_OR_PLACE)

GAZETTEER = Path(__file__).with_name("data") / "names.txt"
UPPER, LOWER = "A-ZÀ-ÖØ-ÞĀ-ſ", "a-zß-öø-ÿĀ-ſ"  # Latin-1 and Latin Extended-A: Özdemir, Şahin, Łukasz
TOKEN = rf"[{UPPER}](?:[{LOWER}]{{0,3}}['’]?[{UPPER}])?[{LOWER}]{{1,30}}(?:-[{UPPER}][{LOWER}]{{1,30}})?"
"""One capitalised name: Anna, Marie-Claire, O'Brien, McCarthy."""
PARTICLES = rf"van|von|de|der|den|du|di|da|del|della|la|le|ten|ter|zu|y|dos|das|d'|l'|'t|{CAPITAL_PARTICLES}"
NAME = re.compile(rf"{TOKEN}(?: (?:(?:{PARTICLES}) ?){{0,2}}{TOKEN}){{0,2}}")
"""A full name: up to three names, with particles between them (Jan de Vries, Lucía de la Fuente)."""
NAME_PART = re.compile(TOKEN)
WORD = re.compile(rf"(?<![\w'’-]){TOKEN}")
HYPHENATED_START = re.compile(r"[\w'’-]{1,40}$")
PRECEDING = re.compile(rf"{TOKEN} (?:(?:{PARTICLES}) ?){{0,2}}$")
"""The given name before a surname: "Mehmet " before "Hoffmann", "Lotte van der " before "Meulen"."""
CAPITAL_PARTICLE_WORDS = frozenset(CAPITAL_PARTICLES.split("|"))
PAIR_BEFORE = re.compile(rf"(?<![\w'’-])(?:{TOKEN} (?:(?:{PARTICLES}) ?){{0,2}})?{TOKEN}$")
"""The one or two names before an action: "Ole Thiessen" before "hat … angerufen"."""


class Cue(Enum):
    """What introduces a name, and so how much of the name itself must be recognised."""

    INTRODUCTION = r"\b(?:my name is|my name's|i am called|je m['’]appelle|mon nom est|ich hei(?:ß|ss)e|" \
                   r"mein name ist|me llamo|mi nombre es|mi chiamo|il mio nome è|mijn naam is|ik heet) {1,3}"
    NAME_LABEL = r"(?<![\w-])(?:(?:(?:full|first|last) )?name|vor- und nachname|nachname|vorname|nom(?: complet)?|" \
                 r"prénom|nombre(?: completo)?|apellidos?|nome(?: completo)?|cognome|naam|voornaam|achternaam) ?: {0,3}"
    PERSON_LABEL = r"(?<![\w-])(?:recipient|empfänger(?:in)?|destinataire|destinatario|ontvanger|kunde|kundin|customer|" \
                   r"cliente|client|klant|titular|account holder|kontoinhaber(?:in)?|titulaire|intestatario|" \
                   r"rekeninghouder|ansprechpartner(?:in)?|contact person|persona de contacto|contactpersoon) ?: {0,3}" \
                   r"|\b(?:account holder|kontoinhaber(?:in)?|titulaire du compte|titular de la cuenta|" \
                   r"intestatari[oa] del conto|rekeninghouder) (?:is|ist|est|es|è) {1,3}" \
                   r"|\b(?:z\. ?hd\.?|c/o|à l['’]attention de|a la atención de|all['’]attenzione di|t\.a\.v\.) {1,3}"
    DELIVERY = r"\b(?:ship to|deliver to|lieferung an) {1,3}"  # a person or a place: "Lieferung an Hamburg Altona"
    TITLE = r"(?<![\w.])(?:Hr\.|Fr\.|Mr\.?|Mrs\.?|Ms\.?|Mx\.?|Dr\.|Prof\.|Mme\.?|Mlle\.?|M\.|Sr\.|Sra\.|Srta\.|" \
            r"Sig\.(?:ra|na)?|Dott\.(?:ssa)?|[Dd]hr\.|[Mm]evr\.) {1,3}"
    TITLE_WORD = r"\b(?:Madame|Monsieur|Señor|Señora|Señorita|Signor|Signora|Signorina|Miss|[Mm]eneer|[Mm]evrouw|" \
                 r"de heer|don|doña|dottor|dottore|dottoressa) {1,3}"
    GERMAN_TITLE = r"\b(?:Herrn?|Frau) {1,3}"  # German capitalises every noun: "meine Frau Kaffee" is no name
    SALUTED_TITLE = rf"\b(?:{SALUTATION}) {{1,3}}(?:herrn?|frau|madame|monsieur|señor|señora|señorita|signor|signora|" \
                    r"signorina|miss|meneer|mevrouw|heer) {1,3}"
    GREETING = rf"\b(?:{SALUTATION}|hey|hoi|salut|ciao) {{1,3}}"
    SIGN_OFF = r"\b(?:thanks in advance|merci d['’]avance|merci beaucoup|danke im voraus|vielen dank|muchas gracias|" \
               r"gracias de antemano|grazie mille|alvast bedankt|best regards|kind regards|regards|best wishes|" \
               r"cheers|thanks|thank you|many thanks|" \
               r"viele grü(?:ß|ss)e|liebe grü(?:ß|ss)e|beste grü(?:ß|ss)e|freundliche grü(?:ß|ss)e|" \
               r"mit freundlichen grü(?:ß|ss)en|gruß|danke|lg|vg|mfg|cordialement|bien à vous|bien cordialement|" \
               r"merci|saludos|un saludo|atentamente|gracias|cordiali saluti|distinti saluti|saluti|grazie|" \
               r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groetjes|groeten|mvg|bedankt)[,.!]?\s{1,4}"
    # longer phrases first: "merci d'avance, …" is not "merci" before a name "d'avance"
    FOR_WHOM = BENEFICIARY
    SENT_TO = SENT_TO
    SHIPPED_TO = SHIPPED_TO
    ACTION = rf"([{UPPER}][{LOWER}]{{1,30}}) (?:{PERSON_ACTS}|(?:{AUXILIARIES})(?: [^\s]{{1,20}}){{0,4}} (?:{PERSON_DONE}))\b"
    SELF = SELF
    SPEAKING = SPEAKING
    COLLECTED_BY = COLLECTED_BY
    ISSUED_TO = ISSUED_TO
    RELATION = RELATION
    ASK_FOR = ASK_FOR
    ACCORDING_TO = r"\b(?:laut|selon|según|secondo|volgens|according to) {1,3}"
    GIVEN_NAME = "given"  # no cue: gazetteer names, the patterns are built from the gazetteer below
    SURNAME = "surname"


CASE_SENSITIVE = frozenset({Cue.TITLE, Cue.TITLE_WORD, Cue.GERMAN_TITLE, Cue.FOR_WHOM, Cue.SENT_TO, Cue.ACTION,
                            Cue.GIVEN_NAME, Cue.SURNAME})
ANY_NAME = frozenset({Cue.INTRODUCTION, Cue.TITLE, Cue.TITLE_WORD, Cue.SALUTED_TITLE})
"""Cues after which any capitalised words are a name: introductions and titles."""
KNOWN_NAME = frozenset({Cue.NAME_LABEL, Cue.GERMAN_TITLE, Cue.DELIVERY})
"""Cues after which one of the words must be a known given name or surname ("Name: Espresso Crema")."""
FRAMES = frozenset({Cue.FOR_WHOM, Cue.SENT_TO, Cue.SHIPPED_TO, Cue.ACTION, Cue.SELF, Cue.SPEAKING,
                    Cue.COLLECTED_BY, Cue.ISSUED_TO, Cue.RELATION, Cue.ASK_FOR, Cue.ACCORDING_TO})
"""Cues after which two unknown capitalised words are a name, when nothing else makes them a business or place."""


class Gazetteer(NamedTuple):
    """Given names, surnames, and phrases that read as names but are brands or places."""

    given: frozenset[str]
    surnames: frozenset[str]
    not_persons: frozenset[str]

    def is_given(self, word: str) -> bool:
        """A known given name, or a hyphenated one made of known given names ("Jean-Baptiste", "Gert-Jan")."""
        return word in self.given or ("-" in word and all(part in self.given for part in word.split("-")))

    def is_surname(self, word: str) -> bool:
        """A known surname, or a double-barrelled one made of known surnames ("Meyer-Hansen")."""
        return word in self.surnames or ("-" in word and all(part in self.surnames for part in word.split("-")))


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
    """Names of people in DE/FR/ES/IT/NL/EN text, found by cues, frames and a gazetteer of common names."""

    name = "person_name"
    category = "user.name"
    patterns = (*(cue.value for cue in Cue if cue not in (Cue.GIVEN_NAME, Cue.SURNAME)),
                rf"\b(?:{'|'.join(sorted(map(re.escape, gazetteer().given)))})(?![\w'-])",
                rf"\b(?:{'|'.join(sorted(map(re.escape, gazetteer().surnames)))})(?![\w'-])")
    pattern_flags = tuple(0 if cue in CASE_SENSITIVE else re.IGNORECASE for cue in Cue)
    kinds = tuple(Cue)

    def find(self, text: str, spans: Sequence[Sequence[Span]] | None = None) -> list[tuple[str, int, int]]:
        """Every name a cue or frame introduces or the gazetteer recognises: (name, start, end)."""
        names = gazetteer()
        found: dict[int, tuple[str, int, int]] = {}
        for kind, start in self._candidates(text, spans, names):
            if start in found:
                continue
            for match in self._readings(text, start, kind):
                parts = NAME_PART.findall(match[0])
                if self._accepted(kind, parts, names, text, match) and self._stands_alone(text, match, kind, names):
                    found[start] = (match[0], start, match.end())
                    break
        return list(found.values())

    @staticmethod
    def _readings(text: str, start: int, kind: Cue) -> Iterator[re.Match]:
        """The name at ``start``, then shorter ones: a capitalised word after a name may open the next phrase
        ("livrez chez Gaëlle Dubois Artikel …")."""
        match = NAME.match(text, start)
        if match is None:
            return
        yield match
        parts = list(NAME_PART.finditer(text, start, match.end()))
        for last, dropped in zip(reversed(parts[:-1]), reversed(parts[1:])):
            if kind in FRAMES and _goes_on(dropped[0]):
                return  # a frame's unknown pair is cut only before a word that opens the next phrase
            shorter = NAME.match(text, start, last.end())
            if shorter is not None and shorter.end() == last.end():
                yield shorter

    def _candidates(self, text: str, spans: Sequence[Sequence[Span]] | None,
                    names: Gazetteer) -> Iterator[tuple[Cue, int]]:
        """(cue, where a name would start): after each cue, and at each given name or surname the gate saw
        (without the gate: at every capitalised word, as one alternation of every name is slow in ``re``)."""
        gazetteer_patterns = len(self.kinds) - 2
        for i, match in self.matches(text, None if spans is None else [*spans[:gazetteer_patterns], (), ()]):
            if self.kinds[i] is Cue.ACTION:
                before = PAIR_BEFORE.search(text, max(0, match.end(1) - 80), match.end(1))
                if before is not None:
                    yield Cue.ACTION, before.start()
            elif i < gazetteer_patterns:
                yield self.kinds[i], match.start(1) if match.re.groups else match.end()
        windows = sorted({*spans[-2], *spans[-1]}) if spans is not None else [(0, len(text))]
        for start, end in windows:
            hyphenated = HYPHENATED_START.search(text, max(0, start - 40), start)  # "Yves-" before "Marie"
            for cut in WORD.finditer(text, hyphenated.start() if hyphenated else start, end):
                word = WORD.match(text, cut.start())  # the whole word, where the window ended inside it
                if names.is_given(word[0]):
                    yield Cue.GIVEN_NAME, word.start()
                elif names.is_surname(word[0]):
                    before = PRECEDING.search(text, max(0, word.start() - 48), word.start())
                    named = before is not None and before[0].split()[0] not in NOT_A_NAME
                    yield Cue.SURNAME, before.start() if named else word.start()

    @staticmethod
    def _accepted(kind: Cue, parts: list[str], names: Gazetteer, text: str, match: re.Match) -> bool:
        """Whether the words after ``kind`` of cue are a name: the weaker the cue, the more must be known."""
        if kind in ANY_NAME or (kind in (Cue.PERSON_LABEL, Cue.SIGN_OFF) and len(parts) > 1) or \
                (kind is Cue.SIGN_OFF and "\n" in text[max(0, match.start() - 3):match.start()]):
            return len(parts) > 1 or parts[0] not in NOT_A_NAME
        known = [names.is_given(part) or names.is_surname(part) for part in parts]
        if kind is Cue.GERMAN_TITLE and len(parts) > 1 and _framed(kind, parts, text, match):
            return True  # "Frau Ricarda Steinhöfel": a title and two names, neither listed
        if kind in KNOWN_NAME or kind is Cue.PERSON_LABEL:
            return any(known)
        if kind in (Cue.GREETING, Cue.SIGN_OFF) or (kind is Cue.SELF and len(parts) == 1):
            return names.is_given(parts[0])
        if len(parts) < 2:
            return False
        if names.is_given(parts[0]) and any(names.is_surname(part) for part in parts[1:]):
            return True
        if kind in FRAMES and _framed(kind, parts, text, match):
            return True
        if not any(known):
            return False
        if not names.is_given(parts[0]) and not names.is_surname(parts[-1]):
            return False  # "Die Sommer Edition ist ...": a surname that is also a noun, in front
        before, after = text[max(0, match.start() - 12):match.start()].split(), text[match.end():match.end() + 12].split()
        return bool(before and before[-1].lower() in PERSON_BEFORE or after and after[0] in PERSON_AFTER)

    @staticmethod
    def _stands_alone(text: str, match: re.Match, kind: Cue, names: Gazetteer) -> bool:
        """Not a possessive, a hyphenated street or a numbered product, not after a street or place word
        (unless a person's action follows: a street does not pay), and not a brand that reads as a name."""
        following = text[match.end():match.end() + 2]
        if following[:1] in ("-", "'", "’") or (kind in (Cue.GIVEN_NAME, Cue.SURNAME) and following[1:2].isdigit()):
            return False
        before = text[max(0, match.start() - 24):match.start()].split()
        if kind is not Cue.ACTION and before and before[-1].rstrip(".").lower() in STREET_OR_PLACE:
            return False
        if kind in (Cue.GIVEN_NAME, Cue.SURNAME) and match[0].split()[0].lower() in STREET_OR_PLACE:
            return False  # "Santa Cruz", "San Marco": a place whose second word is a listed name
        after = text[match.end():match.end() + 12].replace(",", " ").split()[:1]
        if any(part.rstrip(".") in COMPANY for part in match[0].split() + after):
            return False
        phrases = (match[0] + " ", " ".join(before[-1:] + [match[0]]) + " ")
        return not any(phrase.startswith(brand + " ") for phrase in phrases for brand in names.not_persons)


def _framed(kind: Cue, parts: list[str], text: str, match: re.Match) -> bool:
    """A frame's pair of capitalised words as a person: two or three of them, none a role, a sentence opener
    or a street, and for German "an"/"für" a verb of sending right after ("an Ilse Brandt schicken")."""
    inner = [part for part in parts[1:-1] if part in CAPITAL_PARTICLE_WORDS]  # "Le" in "Gaëlle Le Goff"
    if len(parts) - len(inner) > 3 or parts[0].lower() in PLACE_OPENERS or \
            any(part in NOT_A_NAME and part not in inner or part.lower().endswith(STREET_ENDINGS) or
                part.lower() in CALENDAR for part in parts):
        return False
    after = text[match.end():match.end() + 16].split()[:1]
    if kind is Cue.SENT_TO:
        return bool(after) and after[0].rstrip(".,;:!?") in SENDING
    return not after or not _goes_on(after[0])


def _goes_on(word: str) -> bool:
    """Whether a word after a capitalised pair continues it ("pour Nespresso Vertuo Next"), rather than
    opening the next phrase: a sentence opener ("Une"), an abbreviation ("IBAN") or a lower-case word."""
    word = re.split(r"['’]", word.rstrip(".,:;!?"))[0]  # "I'm", "J'ai"
    return word[:1].isupper() and not word.isupper() and word not in NOT_A_NAME
