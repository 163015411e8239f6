"""What the DPIA needs from people, not from traffic: the DPO's advice (Art. 35(2)), the views of data
subjects (Art. 35(9)) and who owns each line of the action plan.

All optional: a DPIA built without them marks them "to be completed" rather than guessing.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from rules.types import NonEmpty, Strict

ActionArea = Literal[
    "purposes", "lawful_basis", "minimisation", "storage", "information", "rights", "automated_decisions",
    "processor_contracts", "transfers", "access", "modification", "disappearance", "default"]
"""What an action-plan line is about: a principle of necessity and proportionality, a feared event
(``access``, ``modification``, ``disappearance``), or ``default`` for every line not named."""


class DpoAdvice(Strict):
    """The data protection officer's advice on the assessment (Art. 35(2)): who gave it, when, what it says."""

    by: NonEmpty
    date: dt.date
    text: NonEmpty


class SubjectsViews(Strict):
    """How the views of data subjects or their representatives were sought (Art. 35(9)), or why they were not.

    Either ``how``, ``date`` and ``summary`` (a survey, a panel, the works council...) or ``not_sought``:
    the reason seeking them was not appropriate, which the ICO template asks to be recorded.
    """

    how: NonEmpty | None = None
    date: dt.date | None = None
    summary: NonEmpty | None = None
    not_sought: NonEmpty | None = Field(None, description="why seeking the views was not appropriate")

    @model_validator(mode="after")
    def _sought_or_why_not(self) -> "SubjectsViews":
        sought = [k for k in ("how", "date", "summary") if getattr(self, k) is not None]
        if self.not_sought is not None and sought:
            raise ValueError(f"give either 'not_sought' or how the views were sought, not both (found {sought[0]!r})")
        if self.not_sought is None and len(sought) < 3:
            missing = [k for k in ("how", "date", "summary") if getattr(self, k) is None]
            raise ValueError(f"views sought need 'how', 'date' and 'summary' (missing: {', '.join(missing)}); "
                             "or give 'not_sought' with the reason")
        return self


class Assessment(Strict):
    """The policy's ``dpia`` block: advice, views and the owners of the action plan."""

    dpo_advice: DpoAdvice | None = None
    data_subjects_views: SubjectsViews | None = None
    owners: dict[ActionArea, NonEmpty] = Field(
        {}, description="who carries out the action-plan lines of each area; 'default' for the rest "
                        "(without one, the DPO)")

    def owner_of(self, area: str, fallback: str) -> str:
        """The owner named for ``area``, else the default owner, else ``fallback``."""
        return self.owners.get(area) or self.owners.get("default") or fallback
