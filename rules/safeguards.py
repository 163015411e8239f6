"""GDPR Art. 46/47: SCCs or BCR on file, in effect on the day of the call, with a TIA that supports them."""

from __future__ import annotations

from douane.contract import Basis, Finding
from rules.case import Case, Ruling


def safeguard(case: Case, ruling: Ruling) -> tuple[Basis | None, Finding | None, list[Finding]]:
    """(basis, finding, problems): a usable Art. 46/47 safeguard, or what keeps each from counting."""
    vendor = case.vendor
    if vendor is None or (vendor.scc is None and vendor.bcr is None):
        ruling.step("Art. 46/47: no SCC or BCR on file")
        return None, None, []
    problems = _not_in_effect(case, ruling)
    scc, bcr = _in_effect(case)
    if scc is None and bcr is None:
        return None, None, problems
    tia = vendor.tia
    if tia is not None and tia.completed <= case.day and tia.outcome == "negative":
        ruling.step(f"Art. 46/47: the TIA of {tia.completed} is negative, so the safeguard cannot be relied on")
        return None, None, [*problems, case.render("chapter-v.tia-negative", completed=tia.completed,
                                                   instrument=_name(scc, bcr))]
    if bcr is None and scc.module != case.context()["expected_module"]:
        ruling.step(f"Art. 46: SCC Module {scc.module} does not fit the roles")
        return None, None, [*problems, case.render("chapter-v.scc-module-mismatch", module=scc.module,
                                                   our_role=case.policy.controller.role, their_role=vendor.role)]
    why = tia.why_not(case.day) if tia is not None else "no TIA is on file"
    if why is not None:
        ruling.step(f"Art. 46/47: {_name(scc, bcr)} in effect, but {why}")
        return None, None, [*problems, case.render("chapter-v.tia-missing", instrument=_name(scc, bcr), why=why)]
    if bcr is not None:
        ruling.step("Art. 47: BCR with a current TIA")
        return Basis.BCR, case.render("chapter-v.bcr", approved_by=bcr.approved_by, approved=bcr.approved,
                                      review_by=tia.review_by), problems
    ruling.step(f"Art. 46(2)(c): SCC Module {scc.module} with a current TIA")
    return Basis.SCC, case.render("chapter-v.scc", module=scc.module, signed=scc.signed,
                                  tia_outcome=tia.outcome.replace("_", " "), review_by=tia.review_by), problems


def incomplete_instrument(case: Case) -> bool:
    """An SCC or BCR in effect on the day, short only of a current TIA or the right module: a review."""
    vendor = case.vendor
    if vendor is None:
        return False
    scc, bcr = _in_effect(case)
    if scc is None and bcr is None:
        return False
    tia = vendor.tia
    return tia is None or tia.completed > case.day or tia.outcome != "negative"


def _in_effect(case: Case):
    vendor = case.vendor
    scc = vendor.scc if vendor.scc is not None and vendor.scc.why_not(case.day) is None else None
    bcr = vendor.bcr if vendor.bcr is not None and vendor.bcr.why_not(case.day) is None else None
    return scc, bcr


def _not_in_effect(case: Case, ruling: Ruling) -> list[Finding]:
    vendor = case.vendor
    found = []
    for instrument in (vendor.scc, vendor.bcr):
        why = instrument.why_not(case.day) if instrument is not None else None
        if why is not None:
            ruling.step(f"Art. 46/47: does not count, {why}")
            found.append(case.render("chapter-v.instrument-not-in-effect", why=why))
    return found


def _name(scc, bcr) -> str:
    return "the BCR" if bcr is not None else f"SCC Module {scc.module}"
