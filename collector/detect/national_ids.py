"""National identity and tax numbers of EU states, each confirmed by python-stdnum's checksum.

Bare digit runs are common in shop traffic (order numbers, EANs), so the purely numeric ids
count only near a word that names them.
"""

from __future__ import annotations

from stdnum.de import idnr
from stdnum.es import dni, nie
from stdnum.fr import nir
from stdnum.it import codicefiscale
from stdnum.nl import bsn

from collector.detect.base import Detector

CATEGORY = "user.government_id.national_identification_number"


class GermanTaxIdDetector(Detector):
    """German Steuerliche Identifikationsnummer (11 digits, ISO 7064 check digit)."""

    name = "de_idnr"
    category = CATEGORY
    patterns = (r"(\d(?<!\d.)\d ?\d{3} ?\d{3} ?\d{3})(?!\d)",)
    context = (r"steuer", r"\bidnr", r"identifikationsnummer", r"tax id", r"\btin\b", r"tax identification")
    checks = (idnr,)


class FrenchNirDetector(Detector):
    """French NIR (numéro de sécurité sociale, 15 digits with its key)."""

    name = "fr_nir"
    category = CATEGORY
    patterns = (r"([12](?<!\d.) ?\d{2} ?\d{2} ?(?:\d{2}|2A|2B) ?\d{3} ?\d{3} ?\d{2})(?!\d)",)
    context = (r"s[ée]curit[ée] sociale", r"\bnir\b", r"insee", r"carte vitale", r"\bs[ée]cu\b", r"social security")
    checks = (nir,)


class SpanishIdDetector(Detector):
    """Spanish DNI and NIE (digits and a control letter)."""

    name = "es_dni"
    category = CATEGORY
    patterns = (r"(\d(?<!\w.)\d{7}-?[A-Z])\b", r"([XYZ](?<!\w.)-?\d{7}-?[A-Z])\b")
    flags = 0
    checks = (dni, nie)


class ItalianFiscalCodeDetector(Detector):
    """Italian codice fiscale (16 characters with a check letter)."""

    name = "it_codice_fiscale"
    category = CATEGORY
    patterns = (r"([A-Z](?<!\w.)[A-Z]{5}\d{2}[A-EHLMPR-T]\d{2}[A-Z]\d{3}[A-Z])\b",)
    flags = 0
    checks = (codicefiscale,)


class DutchBsnDetector(Detector):
    """Dutch burgerservicenummer (9 digits, eleven test)."""

    name = "nl_bsn"
    category = CATEGORY
    patterns = (r"(\d(?<!\d.)(?:\d{3}\.?\d{2}\.?\d{3}|\d{8}|\d{3}\.\d{2}\.\d{3}))(?!\d)",)
    context = (r"\bbsn\b", r"burgerservice", r"sofi", r"persoonsnummer", r"citizen service")
    checks = (bsn,)
