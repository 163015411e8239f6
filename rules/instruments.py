"""Transfer instruments on file for a vendor, each with the dates that decide whether it counts.

Art. 46 needs the safeguard in place when the data moves, so every instrument answers one
question for the day of the call: ``why_not(day)`` is None when it counts on that day, else
the reason, in words a DPO can check against the file.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from rules.types import NonEmpty, Strict

SCC_2021 = "2021/914"
OLD_SCC_SETS = ("2001/497/EC", "2004/915/EC", "2010/87/EU")
OLD_SCC_LAST_NEW_CONTRACT = date(2021, 9, 27)  # Decision (EU) 2021/914, Art. 4(2)
OLD_SCC_LOST_EFFECT = date(2022, 12, 27)  # Decision (EU) 2021/914, Art. 4(4)


class Scc(Strict):
    """Standard contractual clauses on file: the set (2021/914 or a repealed one), module and date."""

    module: Literal[1, 2, 3, 4]
    signed: date
    clauses: Literal["2021/914", "2001/497/EC", "2004/915/EC", "2010/87/EU"] = SCC_2021
    reference: str | None = None

    def why_not(self, day: date) -> str | None:
        """Why these clauses are no safeguard for a call on ``day`` (None: they are)."""
        if self.signed > day:
            return f"the SCCs were signed on {self.signed}, after the call"
        if self.clauses == SCC_2021:
            return None
        if self.signed > OLD_SCC_LAST_NEW_CONTRACT:
            return (f"the SCCs of {self.clauses} were signed on {self.signed}, after 2021-09-27, when that set "
                    "could no longer be used for new contracts (Decision (EU) 2021/914, Art. 4(2))")
        if day > OLD_SCC_LOST_EFFECT:
            return (f"the SCCs of {self.clauses} (signed {self.signed}) lost effect on 2022-12-27 "
                    "(Decision (EU) 2021/914, Art. 4(4))")
        return None


class Tia(Strict):
    """Transfer impact assessment (EDPB Recommendations 01/2020)."""

    completed: date
    review_by: date
    outcome: Literal["positive", "supplementary_measures", "negative"]
    measures: str | None = None

    def why_not(self, day: date) -> str | None:
        """Why this TIA does not support a transfer on ``day`` (None: it does)."""
        if self.completed > day:
            return f"the TIA was completed on {self.completed}, after the call"
        if self.review_by < day:
            return f"the TIA was due for review on {self.review_by}"
        if self.outcome == "negative":
            return f"the TIA completed on {self.completed} is negative: the safeguard cannot ensure protection"
        return None


class DpfCertification(Strict):
    """What the organisation found on the DPF List for this vendor, with the dates of the listing."""

    certified: bool
    data_types: tuple[Literal["hr", "non_hr"], ...] = ("non_hr",)
    verified_on: date
    active_from: date | None = Field(None, description="the listing's original certification date")
    active_until: date | None = Field(None, description="the day the listing lapsed or was withdrawn")

    def why_not(self, day: date, data_type: str) -> str | None:
        """Why the listing does not cover a ``data_type`` transfer on ``day`` (None: it does)."""
        if not self.certified:
            return "the vendor register records it as not certified"
        if self.active_from is not None and self.active_from > day:
            return f"its certification became active on {self.active_from}, after the call"
        if self.active_until is not None and self.active_until < day:
            return f"its certification lapsed on {self.active_until}, before the call"
        if self.active_from is None and self.verified_on > day:
            return f"the DPF List was checked on {self.verified_on}, after the call, without the certification date"
        if data_type not in self.data_types:
            return f"its certification does not cover {data_type.replace('_', '-').upper()} data"
        return None


class Bcr(Strict):
    """Binding corporate rules (Art. 47) of the vendor's group."""

    approved_by: NonEmpty
    approved: date

    def why_not(self, day: date) -> str | None:
        """Why these BCR do not cover a call on ``day`` (None: they do)."""
        if self.approved > day:
            return f"the BCR were approved on {self.approved}, after the call"
        return None


class Dpa(Strict):
    """Data processing agreement (Art. 28)."""

    signed: date
    reference: str | None = None
