"""GDPR Chapter V as a procedure: not a transfer → EEA → Art. 45 → Art. 46/47 → Art. 49 → prohibited.

Each step is a small function over a :class:`Case`; the first basis that covers every
third-country destination wins. An undetermined destination ends in ``needs_review``,
never in ``allowed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from douane.contract import Basis, Decision, Finding
from rules.case import Case, Ruling, describe_locations
from rules.jurisdictions import AdequacyDecision, ScopeKind
from rules.policy import Derogation
from rules.types import ANYWHERE

DPF_REVERIFY = timedelta(days=365)  # DPF self-certifications lapse unless renewed each year


@dataclass(frozen=True)
class Cover:
    """A destination covered by Art. 45 (adequacy, or the DPF for the US)."""

    location: str
    basis: Basis
    finding: Finding


@dataclass(frozen=True)
class Gap:
    """A destination nothing covers yet. ``hard``: a known third country; else it cannot be verified."""

    location: str
    hard: bool
    finding: Finding | None = None


def decide(case: Case) -> Ruling:
    """Run the procedure for one case."""
    ruling = Ruling()
    if case.resolution.provider is None and case.resolution.sovereign is None:
        return _unknown_destination(case, ruling)  # before step 0: an unknown destination is never allowed
    if _not_a_transfer(case, ruling):
        return ruling
    if not case.resolution.locations:
        ruling.findings.append(_render(case, "chapter-v.location-unknown"))
        return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, case.resolution.how)
    third = case.third_countries
    ruling.step(f"destination: {case.resolution.how}; importer {case.context()['entity']}")
    if not third:
        return _eea(case, ruling)
    ruling.step(f"outside the EEA: {describe_locations(third)}")
    results = [_adequacy(case, loc) for loc in sorted(third)]
    gaps = [r for r in results if isinstance(r, Gap)]
    covers = [r for r in results if isinstance(r, Cover)]
    for r in results:
        ruling.step(f"Art. 45 for {r.location}: " + ("covered" if isinstance(r, Cover) else "not covered"))
    if not gaps:
        ruling.findings.extend(c.finding for c in covers)
        basis = Basis.DPF if any(c.basis is Basis.DPF for c in covers) else Basis.ADEQUACY
        return ruling.conclude(Decision.ALLOWED, basis, "every destination is covered by Art. 45")
    return _beyond_adequacy(case, ruling, gaps)


def _beyond_adequacy(case: Case, ruling: Ruling, gaps: list[Gap]) -> Ruling:
    """Art. 46/47 safeguards, then Art. 49 derogations, then the prohibition."""
    soft: list[Finding] = [g.finding for g in gaps if g.finding is not None]
    basis, finding, problem = _safeguard(case, ruling)
    if basis is not None:
        ruling.findings.append(finding)
        return ruling.conclude(Decision.ALLOWED_WITH_SAFEGUARD, basis, f"{basis.value} covers the remaining destinations")
    if problem is not None:
        soft.append(problem)
    basis, finding, problem = _derogation(case, ruling)
    if basis is not None:
        ruling.findings.append(finding)
        return ruling.conclude(Decision.ALLOWED, basis, "an Art. 49 derogation is relied on")
    if problem is not None:
        soft.append(problem)
    if any(g.hard for g in gaps) and not _incomplete_instrument(case):
        ruling.findings.append(_render(case, "chapter-v.no-basis"))
        ruling.findings.extend(f for f in soft if f.rule_id != "chapter-v.location-unknown")
        return ruling.conclude(Decision.UNAUTHORISED, Basis.NONE, "no basis covers a third-country destination")
    ruling.findings.extend(soft)
    return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, "lawfulness cannot be shown from what is on file")


def _not_a_transfer(case: Case, ruling: Ruling) -> bool:
    sovereign = case.resolution.sovereign
    if sovereign is not None and sovereign.operator == "controller" and sovereign.location in case.jurisdictions.eea_codes:
        reason = f"The sovereign endpoint {sovereign.host} is run by the controller in {sovereign.location}."
    elif not case.categories and not case.special and (case.activity is None or not case.activity.categories):
        reason = "No personal data was detected and the activity declares none."
    else:
        ruling.step("step 0: personal data leaves the controller (a transfer may occur)")
        return False
    ruling.findings.append(_render(case, "chapter-v.not-a-transfer", reason=reason))
    ruling.conclude(Decision.ALLOWED, Basis.NOT_A_TRANSFER, reason)
    return True


def _unknown_destination(case: Case, ruling: Ruling) -> Ruling:
    ruling.findings.append(_render(case, "chapter-v.unknown-destination"))
    return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, case.resolution.how)


def _eea(case: Case, ruling: Ruling) -> Ruling:
    ruling.findings.append(_render(case, "chapter-v.eea", locations=describe_locations(case.destinations)))
    entity = case.resolution.entity
    if entity is not None and entity.parent_country and entity.parent_country not in case.jurisdictions.eea_codes:
        ruling.findings.append(_render(case, "chapter-v.foreign-parent", parent=entity.parent_country,
                                       locations=describe_locations(case.destinations)))
    return ruling.conclude(Decision.ALLOWED, Basis.EEA, "every destination is in the EEA")


def _adequacy(case: Case, location: str) -> Cover | Gap:
    if location == ANYWHERE:
        return Gap(location, hard=False, finding=_render(case, "chapter-v.location-unknown"))
    decision = case.jurisdictions.adequacy_by_destination.get(location)
    if decision is None:
        return Gap(location, hard=True)
    if not decision.in_force(case.day):
        return Gap(location, hard=True, finding=_render(
            case, "chapter-v.adequacy-expired", instrument=decision.instrument, country=location,
            decided=decision.decided, valid_until=decision.valid_until or "open-ended"))
    if decision.scope.kind is ScopeKind.FULL:
        return _covered(case, location, decision, Basis.ADEQUACY)
    if decision.scope.kind is ScopeKind.RECIPIENT_REGIME:
        return _regime(case, location, decision)
    return _dpf(case, location, decision)


def _covered(case: Case, location: str, decision: AdequacyDecision, basis: Basis, **extra) -> Cover:
    scope = f" ({decision.scope.condition})" if decision.scope.condition else ""
    finding = _render(case, "chapter-v.adequacy", locations=location, instruments=decision.instrument, scope=scope)
    return Cover(location, basis, finding)


def _regime(case: Case, location: str, decision: AdequacyDecision) -> Cover | Gap:
    entity = case.resolution.entity
    vendor = case.vendor
    regimes = set(vendor.adequacy_attestations if vendor else ())
    if entity is not None and entity.country == location:
        regimes |= set(entity.regimes)
    excluded = entity is not None and entity.sector in decision.scope.excluded_sectors
    if decision.scope.regime in regimes and not excluded:
        return _covered(case, location, decision, Basis.ADEQUACY)
    return Gap(location, hard=False, finding=_render(
        case, "chapter-v.adequacy-scope-unverified", country=location, instrument=decision.instrument,
        scope=decision.scope.condition or decision.scope.regime, regime=(decision.scope.regime or "").upper()))


def _dpf(case: Case, location: str, decision: AdequacyDecision) -> Cover | Gap:
    vendor = case.vendor
    record = vendor.dpf if vendor else None
    data_type = "hr" if case.activity is not None and case.activity.hr_data else "non_hr"
    if record is None:
        return Gap(location, hard=True)
    if not record.certified:
        why = "the vendor register records it as not certified"
    elif data_type not in record.data_types:
        why = f"its certification does not cover {data_type.replace('_', '-').upper()} data"
    elif case.day - record.verified_on > DPF_REVERIFY:
        return Gap(location, hard=False, finding=_render(
            case, "chapter-v.dpf-not-verified", why=f"the DPF List was last checked on {record.verified_on}"))
    else:
        finding = _render(case, "chapter-v.dpf", data_type=data_type.replace("_", "-").upper(),
                          verified_on=record.verified_on)
        return Cover(location, Basis.DPF, finding)
    return Gap(location, hard=True, finding=_render(case, "chapter-v.dpf-not-verified", why=why))


def _safeguard(case: Case, ruling: Ruling) -> tuple[Basis | None, Finding | None, Finding | None]:
    """(basis, finding, problem): a usable Art. 46/47 safeguard, or what keeps it from counting."""
    vendor = case.vendor
    if vendor is None or (vendor.scc is None and vendor.bcr is None):
        ruling.step("Art. 46/47: no SCC or BCR on file")
        return None, None, None
    tia_problem = _tia_problem(case)
    if vendor.tia is not None and vendor.tia.outcome == "negative":
        ruling.step("Art. 46/47: the TIA is negative, so the safeguard cannot be relied on")
        return None, None, None
    if vendor.scc is not None and vendor.scc.module != case.context()["expected_module"]:
        ruling.step(f"Art. 46: SCC Module {vendor.scc.module} does not fit the roles")
        return None, None, _render(case, "chapter-v.scc-module-mismatch", module=vendor.scc.module,
                                   our_role=case.policy.controller.role, their_role=vendor.role)
    if tia_problem is not None:
        ruling.step("Art. 46/47: instrument on file, TIA missing or overdue")
        return None, None, tia_problem
    tia = vendor.tia
    if vendor.bcr is not None:
        ruling.step("Art. 47: BCR with a current TIA")
        return Basis.BCR, _render(case, "chapter-v.bcr", approved_by=vendor.bcr.approved_by,
                                  approved=vendor.bcr.approved, review_by=tia.review_by), None
    ruling.step(f"Art. 46(2)(c): SCC Module {vendor.scc.module} with a current TIA")
    return Basis.SCC, _render(case, "chapter-v.scc", module=vendor.scc.module, signed=vendor.scc.signed,
                              tia_outcome=tia.outcome.replace("_", " "), review_by=tia.review_by), None


def _tia_problem(case: Case) -> Finding | None:
    vendor = case.vendor
    tia = vendor.tia
    if tia is None:
        why = "no TIA is on file"
    elif tia.review_by < case.day:
        why = f"the TIA was due for review on {tia.review_by}"
    else:
        return None
    module = vendor.scc.module if vendor.scc else "(BCR)"
    return _render(case, "chapter-v.tia-missing", module=module, why=why)


def _derogation(case: Case, ruling: Ruling) -> tuple[Basis | None, Finding | None, Finding | None]:
    activity = case.activity
    if activity is None or not activity.derogations:
        ruling.step("Art. 49: no derogation relied on")
        return None, None, None
    derogation = activity.derogations[0]
    if derogation is Derogation.COMPELLING and activity.compelling_interest is None:
        ruling.step("Art. 49(1) 2nd subpara: relied on without its documentation")
        return None, None, _render(case, "chapter-v.compelling-undocumented")
    ruling.step(f"Art. 49: derogation {derogation.value} relied on")
    article = "49(1)(" + derogation.value.rsplit("_", 1)[-1] + ")" if derogation is not Derogation.COMPELLING \
        else "49(1) second subparagraph"
    basis = Basis("derogation_" + derogation.value)
    return basis, _render(case, "chapter-v.derogation", derogation=article), None


def _incomplete_instrument(case: Case) -> bool:
    """An SCC or BCR is on file but incomplete (TIA, module): a review, not a prohibition."""
    vendor = case.vendor
    if vendor is None or (vendor.scc is None and vendor.bcr is None):
        return False
    return vendor.tia is None or vendor.tia.outcome != "negative"


def _render(case: Case, rule_id: str, **extra: object) -> Finding:
    return case.catalogue.render(rule_id, case.context(**extra), raise_severity=case.special)
