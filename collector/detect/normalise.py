"""Text as detection should read it: compatibility forms folded, invisible characters removed.

A sender can hide an e-mail address from a pattern by writing it in fullwidth forms
(``ａｎｎａ＠ｗｅｂ．ｄｅ``) or by putting zero-width characters inside it; the model reads both as
the plain text. NFKC folds the compatibility forms (fullwidth, ligatures, superscripts) and the
invisible format characters are dropped, and digits of other scripts become ASCII digits. Letter case is left to the detectors: those whose
identifiers are upper case by convention (IBAN, VAT, codice fiscale) match either case.
"""

from __future__ import annotations

import re
import unicodedata

INVISIBLE = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                       "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0]")
"""Soft hyphen, zero-width space/joiners, direction marks, word joiner, variation selectors, BOM, fillers."""
OTHER_DIGITS = re.compile(r"(?![0-9])\d")
"""Decimal digits of other scripts (Arabic-Indic ٣, Devanagari ३, ...): NFKC keeps them, a model reads them."""


def normalise(text: str) -> str:
    """``text`` in NFKC with invisible format characters removed (ASCII text is returned as it is)."""
    if text.isascii():
        return text
    if not unicodedata.is_normalized("NFKC", text):  # the quick check is far cheaper than normalising
        text = unicodedata.normalize("NFKC", text)
    if INVISIBLE.search(text):
        text = INVISIBLE.sub("", text)
    if OTHER_DIGITS.search(text):
        text = OTHER_DIGITS.sub(lambda digit: str(unicodedata.digit(digit[0])), text)
    return text
