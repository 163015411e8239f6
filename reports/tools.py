"""The transfer tool a recipient's transfer to one country rests on, as of a date, in words a DPO files.

Chapter V in order: a place in the EEA needs no tool; a full adequacy decision in force is Art. 45;
a partial one (the DPF for certified US recipients, a recipient regime such as PIPEDA or the APPI)
counts only when the vendor file shows the recipient inside its scope; then the Art. 46/47 safeguards
on file that hold on the day (SCC with their TIA, BCR); then the activity's Art. 49 derogations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rules.derogations import article
from rules.jurisdictions import AdequacyDecision, Jurisdictions, ScopeKind
from rules.policy import Activity, Vendor

NONE_ON_FILE = "none on file"


@dataclass(frozen=True)
class Tool:
    """The tool for one country: what it is (``kind``), in words (``text``), and whether it holds."""

    country: str
    kind: str  # eea, adequacy, dpf, regime, scc, bcr, derogation, none
    text: str
    holds: bool


def tool_for(country: str, vendor: Vendor | None, activity: Activity, as_of: date,
             jurisdictions: Jurisdictions) -> Tool:
    """The tool that covers a transfer to ``country`` by the recipient of ``vendor`` on ``as_of``."""
    if country in jurisdictions.eea_codes or country == "EU":
        return Tool(country, "eea", "none needed (EEA)", True)
    decision = jurisdictions.adequacy_by_destination.get(country)
    if decision is not None and decision.in_force(as_of):
        adequacy = _adequacy(country, decision, vendor, activity, as_of)
        if adequacy is not None:
            return adequacy
    safeguards = _safeguards(country, vendor, as_of)
    if safeguards is not None:
        return safeguards
    if activity.derogations:
        letters = ", ".join(f"Art. {article(d)}" for d in activity.derogations)
        return Tool(country, "derogation", f"derogation: {letters}", True)
    partial = f"; {_partial_note(decision)}" if decision is not None and decision.in_force(as_of) else ""
    return Tool(country, "none", NONE_ON_FILE + partial, False)


def _adequacy(country: str, decision: AdequacyDecision, vendor: Vendor | None, activity: Activity,
              as_of: date) -> Tool | None:
    scope = decision.scope
    cite = f"{decision.instrument} of {decision.decided}"
    if scope.kind is ScopeKind.FULL:
        return Tool(country, "adequacy", f"adequacy decision (Art. 45): {cite}", True)
    if scope.kind is ScopeKind.CERTIFIED_RECIPIENT and vendor is not None and vendor.dpf is not None:
        data_type = "hr" if activity.hr_data else "non_hr"
        if vendor.dpf.why_not(as_of, data_type) is None:
            return Tool(country, "dpf", f"adequacy for certified recipients: {cite}; DPF List checked "
                                        f"{vendor.dpf.verified_on}", True)
    if scope.kind is ScopeKind.RECIPIENT_REGIME and vendor is not None and scope.regime in vendor.adequacy_attestations:
        return Tool(country, "regime", f"partial adequacy (recipient subject to {scope.regime.upper()}): {cite}", True)
    return None


def _safeguards(country: str, vendor: Vendor | None, as_of: date) -> Tool | None:
    if vendor is None:
        return None
    if vendor.bcr is not None and vendor.bcr.why_not(as_of) is None:
        return Tool(country, "bcr", f"BCR (Art. 47) approved by {vendor.bcr.approved_by} on {vendor.bcr.approved}",
                    True)
    if vendor.scc is None:
        return None
    scc = vendor.scc
    text = f"SCC {scc.clauses} Module {scc.module}, signed {scc.signed}"
    if scc.reference:
        text += f" ({scc.reference})"
    problem = scc.why_not(as_of)
    if vendor.tia is None:
        return Tool(country, "scc", f"{text}; no transfer impact assessment on file", False)
    tia = vendor.tia
    text += f"; TIA of {tia.completed}, {tia.outcome.replace('_', ' ')}, review by {tia.review_by}"
    problem = problem or tia.why_not(as_of)
    return Tool(country, "scc", text + (f" — {problem}" if problem else ""), problem is None)


def _partial_note(decision: AdequacyDecision) -> str:
    """Why a partial adequacy decision does not cover this recipient, so the page says it was considered."""
    scope = decision.scope
    if scope.kind is ScopeKind.CERTIFIED_RECIPIENT:
        return (f"the adequacy decision for {decision.name} covers only {(scope.programme or '').upper()}-certified "
                "recipients; no certification on file")
    return (f"the adequacy decision for {decision.name} covers only recipients subject to "
            f"{(scope.regime or '').upper()}; not attested for this recipient")
