"""GDPR Chapter V as a procedure: not a transfer → EEA → Art. 45 → Art. 46/47 → Art. 49 → prohibited.

Each step is a small function over a :class:`Case`; the first basis that covers every
third-country destination wins. An undetermined destination ends in ``needs_review``,
never in ``allowed``. Two caps follow the procedure: a recipient the registry only assumes,
and content detection did not see, can each make a verdict a review, never a prohibition.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from douane.contract import Basis, Decision, Finding
from rules import derogations
from rules.case import Case, Ruling, describe_locations
from rules.jurisdictions import AdequacyDecision, ScopeKind
from rules.safeguards import incomplete_instrument, safeguard
from rules.types import ANYWHERE

DPF_REVERIFY = timedelta(days=365)  # DPF self-certifications lapse unless renewed each year
PERMITTED = frozenset({Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD})


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
    """Run the procedure for one case, then apply the assumed-recipient and unseen-content caps."""
    ruling = _procedure(case)
    entity = case.resolution.entity
    if entity is not None and not entity.confirmed and ruling.basis is not Basis.NOT_A_TRANSFER:
        ruling = _assumed_recipient(case, ruling)
    if case.unobserved and ruling.basis is not Basis.NOT_A_TRANSFER:
        ruling.findings.append(case.render("chapter-v.content-not-observed", judged=_judged_on(case)))
        declared = case.activity is not None and bool(case.activity.categories)
        if ruling.decision is Decision.UNAUTHORISED and not declared:
            ruling.findings = [f for f in ruling.findings if f.rule_id != "chapter-v.no-basis"]
            ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, "the content was not observed and the activity "
                            "declares no categories, so a prohibition cannot be shown")
    return ruling


def _procedure(case: Case) -> Ruling:
    ruling = Ruling()
    if case.resolution.provider is None and case.resolution.sovereign is None:
        return _unknown_destination(case, ruling)  # before step 0: an unknown destination is never allowed
    if _not_a_transfer(case, ruling):
        return ruling
    if not case.resolution.locations:
        ruling.findings.append(case.render("chapter-v.location-unknown"))
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


def _assumed_recipient(case: Case, ruling: Ruling) -> Ruling:
    """The registry only assumes who contracts: check the verdict against the provider's own entity."""
    fallback = case.resolution.provider.entity if case.resolution.provider else None
    if fallback is None or fallback is case.resolution.entity:
        return ruling
    other = _procedure(replace(case, resolution=replace(case.resolution, entity=fallback)))
    if ruling.decision is other.decision is Decision.NEEDS_REVIEW or (
            ruling.decision is other.decision and ruling.basis is other.basis and ruling.decision in PERMITTED):
        return ruling  # the answer does not turn on who the recipient is
    if ruling.decision in PERMITTED and other.decision in PERMITTED:
        other.step(f"the recipient {case.resolution.entity.name} is assumed, not confirmed; judged with "
                   f"{fallback.name}, the answer that holds whichever of the two receives the data")
        other.importer = fallback
        return other
    ruling.findings = [f for f in ruling.findings if f.rule_id != "chapter-v.no-basis"]
    if other.decision is ruling.decision:
        consequence = (f"With either {case.resolution.entity.name} or {fallback.name} the call would be "
                       f"{other.decision.value}, but a prohibition needs a confirmed recipient, so it is a review.")
    else:
        consequence = (f"With {fallback.name} ({fallback.country}) as the recipient the call would be "
                       f"{other.decision.value}, not {ruling.decision.value}, so it is a review.")
    ruling.findings.append(case.render("chapter-v.recipient-assumed", consequence=consequence))
    ruling.step(f"the recipient {case.resolution.entity.name} is assumed, not confirmed; with "
                f"{fallback.name} the call would be {other.decision.value}")
    return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, "who receives the data is not confirmed")


def _judged_on(case: Case) -> str:
    declared = case.activity.categories if case.activity else ()
    if declared:
        return "the activity's declared categories (" + ", ".join(declared) + ")"
    return "no declared categories; it was judged as if it carried personal data"


def _beyond_adequacy(case: Case, ruling: Ruling, gaps: list[Gap]) -> Ruling:
    """Art. 46/47 safeguards, then Art. 49 derogations, then the prohibition."""
    soft: list[Finding] = [g.finding for g in gaps if g.finding is not None]
    basis, finding, problems = safeguard(case, ruling)
    if basis is not None:
        ruling.findings.append(finding)
        return ruling.conclude(Decision.ALLOWED_WITH_SAFEGUARD, basis, f"{basis.value} covers the remaining destinations")
    soft.extend(problems)
    derogation = derogations.consider(case, ruling)
    if derogation.basis is not None:
        ruling.findings.extend(derogation.findings)
        return ruling.conclude(Decision.ALLOWED, derogation.basis, "an Art. 49 derogation is relied on")
    soft.extend(derogation.findings)
    if any(g.hard for g in gaps) and not incomplete_instrument(case):
        ruling.findings.append(case.render("chapter-v.no-basis"))
        ruling.findings.extend(f for f in soft if f.rule_id != "chapter-v.location-unknown")
        return ruling.conclude(Decision.UNAUTHORISED, Basis.NONE, "no basis covers a third-country destination")
    ruling.findings.extend(soft)
    return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, "lawfulness cannot be shown from what is on file")


def _not_a_transfer(case: Case, ruling: Ruling) -> bool:
    sovereign = case.resolution.sovereign
    if sovereign is not None and sovereign.operator == "controller" and sovereign.location in case.jurisdictions.eea_codes:
        reason = f"The sovereign endpoint {sovereign.host} is run by the controller in {sovereign.location}."
    elif (not case.unobserved and not case.categories and not case.special
          and (case.activity is None or not case.activity.categories)):
        reason = "No personal data was detected in the scanned content and the activity declares none."
    else:
        ruling.step("step 0: personal data leaves the controller (a transfer may occur)")
        return False
    ruling.findings.append(case.render("chapter-v.not-a-transfer", reason=reason))
    ruling.conclude(Decision.ALLOWED, Basis.NOT_A_TRANSFER, reason)
    return True


def _unknown_destination(case: Case, ruling: Ruling) -> Ruling:
    ruling.findings.append(case.render("chapter-v.unknown-destination"))
    return ruling.conclude(Decision.NEEDS_REVIEW, Basis.NONE, case.resolution.how)


def _eea(case: Case, ruling: Ruling) -> Ruling:
    ruling.findings.append(case.render("chapter-v.eea", locations=describe_locations(case.destinations)))
    entity = case.resolution.entity
    if entity is not None and entity.parent_country and entity.parent_country not in case.jurisdictions.eea_codes:
        ruling.findings.append(case.render("chapter-v.foreign-parent", parent=entity.parent_country,
                                           locations=describe_locations(case.destinations)))
    onward = _onward_transfers(case)
    if onward is not None:
        ruling.findings.append(onward)
    return ruling.conclude(Decision.ALLOWED, Basis.EEA, "every destination is in the EEA")


def _onward_transfers(case: Case) -> Finding | None:
    """Known sub-processing outside the EEA: the processor's own transfer, to verify under Art. 28."""
    provider, vendor = case.resolution.provider, case.vendor
    abroad = [s for s in (provider.sub_processing if provider else ()) if s.country not in case.jurisdictions.eea_codes]
    if not abroad:
        return None
    if vendor is not None and vendor.onward_transfers_verified is not None and vendor.onward_transfers_verified <= case.day:
        return None
    who = "; ".join(f"{s.name} in {describe_locations([s.country])} ({s.what}; {s.source}, {s.checked})"
                    for s in abroad)
    return case.render("chapter-v.onward-transfer", sub_processing=who)


def _adequacy(case: Case, location: str) -> Cover | Gap:
    if location == ANYWHERE:
        return Gap(location, hard=False, finding=case.render("chapter-v.location-unknown"))
    decision = case.jurisdictions.adequacy_by_destination.get(location)
    if decision is None:
        return Gap(location, hard=True)
    if case.day < decision.decided:
        return Gap(location, hard=True, finding=case.render(
            "chapter-v.adequacy-not-yet", instrument=decision.instrument, country=location, decided=decision.decided))
    if not decision.in_force(case.day):
        return Gap(location, hard=True, finding=case.render(
            "chapter-v.adequacy-expired", instrument=decision.instrument, country=location,
            decided=decision.decided, valid_until=decision.valid_until or "open-ended"))
    if decision.scope.kind is ScopeKind.FULL:
        return _covered(case, location, decision, Basis.ADEQUACY)
    if decision.scope.kind is ScopeKind.RECIPIENT_REGIME:
        return _regime(case, location, decision)
    return _dpf(case, location)


def _covered(case: Case, location: str, decision: AdequacyDecision, basis: Basis) -> Cover:
    scope = f" ({decision.scope.condition})" if decision.scope.condition else ""
    finding = case.render("chapter-v.adequacy", locations=location, instruments=decision.instrument, scope=scope)
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
    return Gap(location, hard=False, finding=case.render(
        "chapter-v.adequacy-scope-unverified", country=location, instrument=decision.instrument,
        scope=decision.scope.condition or decision.scope.regime, regime=(decision.scope.regime or "").upper()))


def _dpf(case: Case, location: str) -> Cover | Gap:
    vendor = case.vendor
    record = vendor.dpf if vendor else None
    data_type = "hr" if case.activity is not None and case.activity.hr_data else "non_hr"
    if record is None:
        return Gap(location, hard=True)
    why = record.why_not(case.day, data_type)
    if why is not None:
        return Gap(location, hard=True, finding=case.render("chapter-v.dpf-not-verified", why=why))
    if case.day - record.verified_on > DPF_REVERIFY:
        return Gap(location, hard=False, finding=case.render(
            "chapter-v.dpf-not-verified", why=f"the DPF List was last checked on {record.verified_on}"))
    finding = case.render("chapter-v.dpf", data_type=data_type.replace("_", "-").upper(), verified_on=record.verified_on)
    return Cover(location, Basis.DPF, finding)
