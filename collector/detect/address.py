"""Postal addresses: a street with a house number, or a postcode followed by a town."""

from __future__ import annotations

from collector.detect.base import Detector

EN_STREET_WORDS = r"Street|Road|Lane|Avenue|Drive|Close|Way|Place|Square|Crescent|Terrace|Gardens|Row|Hill|Rd|St|Ave"
"""English addresses put the house number first and the street word last: 10 Church Road."""
STREET_WORDS = (r"stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer|rue|avenue|boulevard|bd|chemin|"
                r"calle|avenida|plaza|via|viale|piazza|corso|straat|laan|plein|gracht|street|st\.|road|rd\.|lane")


STREET_WORD = rf"(?=[{''.join(sorted({word[0] for word in STREET_WORDS.split('|')}))}])(?:{STREET_WORDS})"
"""A street word, its first letter checked before the alternation is tried: ``re`` tries the ~30 words one by one at
each offset of a name it backtracks through, and most offsets hold none of their first letters (the first pattern
twice as fast on a shop prompt's "Lieferadresse: Torstraße 167")."""


class PostalAddressDetector(Detector):
    """Street-and-number forms of DE/AT/NL/FR/ES/IT/EN addresses ("Torstraße 5", "via Roma 3", "12 rue des
    Lilas", "10 Church Road"), and "12345 Town" postcode lines."""

    name = "postal_address"
    category = "user.contact.address"
    patterns = (
        rf"([A-ZÄÖÜ](?<!\w.)[\wäöüß.-]{{1,40}}{STREET_WORD} ?\d{{1,4}}[a-z]?)(?![\w])",
        rf"\b((?:{STREET_WORDS}) [A-ZÄÖÜÉ][\wäöüéèàß'-]{{1,40}}(?: [\wäöüéèàß'-]{{1,40}}){{0,3}},? \d{{1,4}})(?![\w])",
        r"(\d(?<!\w.)\d{0,3},? (?:rue|avenue|boulevard|chemin|calle|via|street|road|lane) [\wéèàç' -]{2,40})",
        r"(\d(?<!\d.)\d{4} [A-ZÄÖÜÉ][a-zäöüßéèà]{2,30}(?:[ -][A-ZÄÖÜ]?[a-zäöüß]{2,30})?)(?![\w])",
        rf"(\d(?<!\w.)\d{{0,3}}[a-z]?,? [A-Z][a-z]{{1,30}}(?: [A-Z][a-z]{{1,30}}){{0,2}} (?:{EN_STREET_WORDS}))(?![\w])",
    )
    flags = 0
    triggers = (None, None, None, r"[^0-9][0-9]{5} [A-ZÄÖÜÉ]", None)
    """The postcode line has a fixed opening (five digits, a space, a capital): the gate reports where it starts,
    and the pattern is tried there once instead of being searched for across a 70-character window."""
    # No start-of-match tracking in the gate (it cost Hyperscan ~20 µs a 2 KB prompt for these five patterns):
    # the gate reports where a match ends, and the window before it is searched. Each pattern opens with a
    # character class, its boundary written as a lookbehind after it (``[A-ZÄÖÜ](?<!\w.)`` is ``\b[A-ZÄÖÜ]``),
    # so ``re`` jumps from one capital or digit to the next instead of trying every offset of the window.
