"""NIS2 tests for an incident report: is the organisation an entity under NIS2 (Art. 2, 3; Annexes I, II),
is the incident significant (Art. 23(3)), and which CSIRT and authority it goes to.

Sources: Directive (EU) 2022/2555 Arts. 2, 3, 23 and Annexes I-II; Recommendation 2003/361/EC for
the size cap; Implementing Regulation (EU) 2024/2690 Arts. 7 and 11 for the reference thresholds of
availability (it binds only the digital entity types it names; for others they are a yardstick the
report states as such). See shared/reference/legal.md §6.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from rules.policy import Controller
from rules.types import CountryCode, NonEmpty, Strict
from rules.yamlio import load_model

ANNEX_I = frozenset({
    "energy", "transport", "banking", "financial_market_infrastructure", "health", "drinking_water",
    "waste_water", "internet_exchange_point", "dns", "tld", "cloud_computing", "data_centre", "cdn",
    "trust_service", "public_electronic_communications", "managed_service", "managed_security_service",
    "public_administration", "space"})
"""Sectors and entity types of high criticality (Annex I)."""

ANNEX_II = frozenset({
    "postal_courier", "waste_management", "chemicals", "food", "manufacturing", "online_marketplace",
    "online_search_engine", "social_networking", "research"})
"""Other critical sectors (Annex II); a shop selling its own goods is no online marketplace."""

SIZE_INDEPENDENT = frozenset({"public_electronic_communications", "trust_service", "tld", "dns"})
"""Entity types covered whatever their size (Art. 2(2)(a) and (c))."""

MEDIUM_STAFF, LARGE_STAFF = 50, 250
MEDIUM_TURNOVER, MEDIUM_BALANCE = 10_000_000, 10_000_000
LARGE_TURNOVER, LARGE_BALANCE = 50_000_000, 43_000_000

NOT_AN_ENTITY = "not an entity under NIS2 — kept as an internal incident record"


@dataclass(frozen=True)
class Applicability:
    """Whether NIS2 applies to the organisation, as which entity type, and why."""

    in_scope: bool | None  # None: the policy lacks what the test needs
    entity_type: str  # essential, important, or NOT_AN_ENTITY / "undetermined"
    reasons: tuple[str, ...]


def size_class(c: Controller) -> str | None:
    """large, medium or small under Recommendation 2003/361 (staff, or turnover and balance sheet)."""
    money = c.annual_turnover_eur is not None and c.balance_sheet_eur is not None
    if c.employees is None and not money:
        return None
    staff = c.employees or 0
    if staff >= LARGE_STAFF or (money and c.annual_turnover_eur > LARGE_TURNOVER
                                and c.balance_sheet_eur > LARGE_BALANCE):
        return "large"
    if staff >= MEDIUM_STAFF or (money and c.annual_turnover_eur > MEDIUM_TURNOVER
                                 and c.balance_sheet_eur > MEDIUM_BALANCE):
        return "medium"
    return "small"


def applicability(c: Controller) -> Applicability:
    """The Art. 2 and 3 test for the organisation the policy describes."""
    sector, size = c.nis2_sector, size_class(c)
    staff = f"{c.employees} staff" if c.employees is not None else "staff not recorded"
    if sector in SIZE_INDEPENDENT:
        return Applicability(True, "essential", (f"{_words(sector)}: covered whatever its size (Art. 2(2))",))
    if sector is None or (sector not in ANNEX_I and sector not in ANNEX_II):
        what = "no NIS2 sector recorded" if sector is None else f"sector {_words(sector)} is in neither annex"
        return Applicability(False, NOT_AN_ENTITY, (f"{what} ({staff}): a shop selling its own goods is not an "
                                                     "online marketplace (Annex II §6); national designation aside",))
    annex = "Annex I" if sector in ANNEX_I else "Annex II"
    if size is None:
        return Applicability(None, "undetermined", (f"{_words(sector)} ({annex}); size unknown — record employees or "
                                                    "turnover and balance sheet",))
    if size == "small":
        return Applicability(False, NOT_AN_ENTITY, (f"{_words(sector)} ({annex}) but small ({staff}): below the "
                                                    "medium-sized cap of Art. 2(1)",))
    kind = "essential" if annex == "Annex I" and size == "large" else "important"
    return Applicability(True, kind, (f"{_words(sector)} ({annex}), {size}-sized ({staff}): {kind} entity (Art. 3)",))


@dataclass(frozen=True)
class Impact:
    """What the store shows of an outage: its length, the calls it hit and how many were still served."""

    minutes: float
    calls_in_window: int
    failed: int
    failed_over: int
    features: tuple[str, ...]

    @property
    def unserved(self) -> int:
        """Failed calls nobody answered (not failed over to the sovereign model)."""
        return max(0, self.failed - self.failed_over)

    @property
    def unserved_share(self) -> float:
        return self.unserved / self.calls_in_window if self.calls_in_window else 0.0


COMPLETE_MINUTES, COMPLETE_SHARE = 30, 0.95
LIMITED_MINUTES, LIMITED_SHARE = 60, 0.05
"""CIR (EU) 2024/2690 Art. 7: unavailable (here: 95 % of calls unserved) > 30 min, or limited for > 5 % of
users (here: of calls) for > 1 h."""


@dataclass(frozen=True)
class Significance:
    """The Art. 23(3) test: significant or not, with the evidence for each limb."""

    significant: bool
    disruption: str  # Art. 23(3)(a)
    damage: str  # Art. 23(3)(b)


def significance(impact: Impact) -> Significance:
    """Art. 23(3)(a) severe operational disruption, judged on unserved calls; (b) damage to others."""
    share = f"{impact.unserved:,} of {impact.calls_in_window:,} calls in the window unserved " \
            f"({100 * impact.unserved_share:.1f} %) over {impact.minutes:.0f} min"
    complete = impact.unserved_share >= COMPLETE_SHARE and impact.minutes > COMPLETE_MINUTES
    limited = impact.unserved_share > LIMITED_SHARE and impact.minutes > LIMITED_MINUTES
    if complete or limited:
        reason = "service unavailable for more than 30 min" if complete else \
            "service limited for more than 5 % of calls for more than 1 h"
        disruption = f"yes — {reason}: {share}"
    elif impact.failed and not impact.unserved:
        disruption = f"no — every one of the {impact.failed:,} failed calls was served by the sovereign model"
    else:
        disruption = f"no — {share}, below the reference thresholds (CIR (EU) 2024/2690 Art. 7)"
    damage = "no indication — the provider refused or failed calls; no personal data was disclosed or altered"
    return Significance(disruption.startswith("yes"), disruption, damage)


def _words(key: str) -> str:
    return key.replace("_", " ")


class Csirt(Strict):
    """Where a member state's entities report: its CSIRT and competent authority, under which act, with its source."""

    csirt: NonEmpty
    authority: NonEmpty
    law: NonEmpty
    source: NonEmpty
    checked: date
    verified: bool  # False: written down offline, not checked against the official list


class CsirtTable(Strict):
    """CSIRTs and authorities by member state, each entry with its own source and date."""

    source: NonEmpty
    checked: date
    members: dict[CountryCode, Csirt]


@cache
def csirts(path: Path = Path(__file__).parent / "data" / "csirts.yaml") -> CsirtTable:
    """The table in ``reports/data/csirts.yaml``."""
    return load_model(path, CsirtTable)


def competent(country: str) -> str:
    """Who receives the reports for an entity established in ``country``, with the entry's caveat."""
    entry = csirts().members.get(country)
    if entry is None:
        return (f"{country}: not an EU member state in Douane's table (NIS2 binds the 27) — see the CSIRTs Network "
                "member list and the national law")
    caveat = "" if entry.verified else (f" (as written down {entry.checked} from {entry.source}, not verified "
                                        "against the official list; check the national law before filing)")
    return f"CSIRT: {entry.csirt}; competent authority: {entry.authority}; law: {entry.law}{caveat}"
