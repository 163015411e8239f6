"""GDPR Art. 49: every derogation the activity relies on, in the article's order, first usable wins.

(a)-(g) come first, in that order; the compelling legitimate interests of the second
subparagraph only last and only with all its conditions. Art. 49(3) keeps public authorities
from (a)-(c). Recital 111 and EDPB Guidelines 2/2018 read (b), (c) and (e) as covering
occasional transfers only; the policy's ``readings.derogations_systematic`` says whether that
reading (``edpb``, the default) or the article's bare wording (``text``) applies. (d) and (g)
count only with what they rest on recorded in the activity's ``derogation_grounds``.

Transfers are systematic when the activity declares them so (``transfer_frequency``) or when the
stream observed more calls of the activity to the destination than ``readings.occasional_use``
allows (``Case.steady``); the explanation says which.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from douane.contract import Basis, Finding
from rules.case import Case, Ruling
from rules.policy import Derogation

ORDER = (Derogation.A, Derogation.B, Derogation.C, Derogation.D, Derogation.E, Derogation.F, Derogation.G,
         Derogation.COMPELLING)
NOT_FOR_PUBLIC_AUTHORITIES = frozenset({Derogation.A, Derogation.B, Derogation.C})
OCCASIONAL_ONLY = frozenset({Derogation.B, Derogation.C, Derogation.E})  # recital 111
_OCCASIONAL_ONLY = "and the EDPB reading allows it for occasional ones only"
NEEDS_GROUNDS = {
    Derogation.D: "no Union or Member State law recognising the public interest is recorded (Art. 49(4))",
    Derogation.G: "no public register and its consultation conditions are recorded (Art. 49(1)(g), 49(2))",
}


@dataclass
class Outcome:
    """The derogation relied on (if any) and the findings the search produced."""

    basis: Basis | None = None
    findings: list[Finding] = field(default_factory=list)


def article(derogation: Derogation) -> str:
    """``49(1)(b)``, or ``49(1) second subparagraph`` for compelling legitimate interests."""
    if derogation is Derogation.COMPELLING:
        return "49(1) second subparagraph"
    return "49(1)(" + derogation.value.rsplit("_", 1)[-1] + ")"


def basis_of(derogation: Derogation) -> Basis:
    """The transfer basis a verdict records when ``derogation`` is relied on."""
    return Basis("derogation_" + derogation.value)


def derogation_of(basis: str) -> Derogation | None:
    """The derogation a recorded basis names, or None for any other basis."""
    try:
        return Derogation(basis.removeprefix("derogation_")) if basis.startswith("derogation_") else None
    except ValueError:
        return None


def consider(case: Case, ruling: Ruling) -> Outcome:
    """Try each relied-on derogation in the article's order; the first whose conditions hold wins."""
    activity = case.activity
    outcome = Outcome()
    if activity is None or not activity.derogations:
        ruling.step("Art. 49: no derogation relied on")
        return outcome
    ruling.derogation_sought = True
    systematic = activity.transfer_frequency == "systematic" or case.steady
    reading = case.policy.readings.derogations_systematic
    skipped: list[str] = []
    for derogation in sorted(set(activity.derogations), key=ORDER.index):
        why = _why_not(case, derogation, systematic, reading)
        if why is None:
            ruling.step(f"Art. {article(derogation)}: conditions met, relied on")
            if systematic:
                outcome.findings.append(_systematic(case, derogation, reading, blocked=False))
            outcome.basis = basis_of(derogation)
            outcome.findings.append(case.render("chapter-v.derogation", derogation=article(derogation),
                                                skipped=_skipped_text(skipped)))
            return outcome
        ruling.step(f"Art. {article(derogation)}: not usable, {why}")
        skipped.append(f"Art. {article(derogation)} ({why})")
        outcome.findings.extend(_problem(case, derogation, why, systematic, reading))
    outcome.findings.append(case.render("chapter-v.derogation-unavailable", reasons="; ".join(skipped)))
    return outcome


def _why_not(case: Case, derogation: Derogation, systematic: bool, reading: str) -> str | None:
    if case.policy.controller.public_authority and derogation in NOT_FOR_PUBLIC_AUTHORITIES:
        return "Art. 49(3) keeps it from public authorities exercising their powers"
    if derogation is Derogation.A and not case.consented:
        return "the event carries no consent reference for this data subject and transfer"
    if derogation is Derogation.COMPELLING:
        return _compelling_gap(case, systematic)
    if derogation in NEEDS_GROUNDS and derogation not in case.activity.derogation_grounds:
        return NEEDS_GROUNDS[derogation]
    if systematic and derogation in OCCASIONAL_ONLY and reading == "edpb":
        return f"{_why_systematic(case)}, {_OCCASIONAL_ONLY}"
    return None


def _compelling_gap(case: Case, systematic: bool) -> str | None:
    doc = case.activity.compelling_interest
    if doc is None:
        return "no assessment, notice to the supervisory authority or to the data subjects is recorded"
    gaps = []
    if systematic:
        gaps.append(f"the transfers are repetitive ({_why_systematic(case)})")
    if not doc.limited_data_subjects:
        gaps.append("it is not limited to a small number of data subjects")
    if doc.supervisory_authority_informed > case.day:
        gaps.append(f"the supervisory authority was informed on {doc.supervisory_authority_informed}, after the call")
    if not doc.data_subjects_informed:
        gaps.append("the data subjects are not informed")
    return "; ".join(gaps) or None


def _problem(case: Case, derogation: Derogation, why: str, systematic: bool, reading: str) -> list[Finding]:
    if derogation is Derogation.COMPELLING:
        return [case.render("chapter-v.compelling-undocumented", why=why)]
    if why.endswith(_OCCASIONAL_ONLY):
        return [_systematic(case, derogation, reading, blocked=True)]
    return []


def _systematic(case: Case, derogation: Derogation, reading: str, *, blocked: bool) -> Finding:
    if reading == "edpb":
        applied = ("The policy applies the EDPB's reading (Guidelines 2/2018, recital 111): this derogation covers "
                   "occasional transfers only, so it is not relied on." if blocked else
                   "The policy applies the EDPB's reading (Guidelines 2/2018): derogations are read restrictively "
                   "and a steady stream of transfers should rest on a safeguard instead.")
    else:
        applied = ("The policy applies the article's wording (readings.derogations_systematic: text), which does "
                   "not say 'occasional'; the EDPB reads recital 111 otherwise, so a supervisory authority may not "
                   "accept it.")
    return case.render("chapter-v.derogation-systematic", derogation=article(derogation),
                       reading=_sentence(_why_systematic(case)) + " " + applied)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _why_systematic(case: Case) -> str:
    """Why the transfers count as systematic: the activity's declaration, or the traffic observed."""
    if case.activity.transfer_frequency == "systematic":
        return "the activity declares its transfers systematic"
    use = case.policy.readings.occasional_use
    return (f"more than {use.max_calls} calls of this activity to this destination were observed within "
            f"{use.window_days} days (readings.occasional_use), though the activity declares them occasional")


def _skipped_text(skipped: list[str]) -> str:
    return (" Considered first and not usable: " + "; ".join(skipped) + ".") if skipped else ""
