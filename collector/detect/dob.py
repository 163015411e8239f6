"""Dates of birth: a calendar date next to a word that says it is one."""

from __future__ import annotations

from datetime import date

from collector.detect.base import Detector


class DateOfBirthDetector(Detector):
    """Dates (DD.MM.YYYY, DD/MM/YYYY, YYYY-MM-DD) within reach of "born", "geboren", "né", "nacido", ..."""

    name = "date_of_birth"
    category = "user.demographic.date_of_birth"
    patterns = (r"(\d(?<!\d.)\d?[./-]\d{1,2}[./-](?:19|20)\d{2})(?!\d)",
                r"((?:19|20)(?<!\d..)\d{2}-\d{2}-\d{2})(?!\d)")
    context = (r"geboren", r"geb\.", r"geburtsdatum", r"\bborn\b", r"birth", r"\bdob\b", r"\bn[ée]e?\b",
               r"naissance", r"nacid[oa]", r"nacimiento", r"\bnat[oa]\b", r"nascita", r"geboortedatum")
    context_window = 40

    def validate(self, value: str) -> bool:
        if "-" in value and value[:4].isdigit():
            y, m, d = value.split("-")
        else:
            d, m, y = value.replace("/", ".").replace("-", ".").split(".")
        try:
            born = date(int(y), int(m), int(d))
        except ValueError:
            return False
        return born <= date.today()
