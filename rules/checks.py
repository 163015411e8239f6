"""Checks beside Chapter V: Art. 9 exceptions, the Art. 30 record, NIS2 supply chain."""

from __future__ import annotations

from douane.contract import Finding
from rules.case import Case
from rules.types import ANYWHERE


def art9(case: Case) -> list[Finding]:
    """Special-category data needs an Art. 9(2) exception recorded for the activity."""
    if not case.special or (case.activity is not None and case.activity.special_category_basis is not None):
        return []
    return [case.catalogue.render("gdpr.art9-no-exception", case.context())]


def art10(case: Case) -> list[Finding]:
    """Criminal-offence data needs an authorisation by Union or Member State law (Art. 10)."""
    if not case.criminal or (case.activity is not None and case.activity.criminal_data_basis is not None):
        return []
    return [case.catalogue.render("gdpr.art10-criminal-data", case.context())]


def taxonomy(case: Case) -> list[Finding]:
    """Category keys on the event that the fideslang taxonomy does not know."""
    if not case.unknown_keys:
        return []
    return [case.catalogue.render("taxonomy.unknown-category", case.context(unknown=", ".join(sorted(case.unknown_keys))))]


def art30(case: Case) -> list[Finding]:
    """The call should fit a recorded activity, with its recipient and transfers declared."""
    if case.activity is None:
        return [case.catalogue.render("art30.no-activity", case.context())]
    if not case.categories and not case.activity.categories:
        return []
    findings = []
    provider = case.resolution.provider
    if provider is not None and case.resolution.sovereign is None and provider.id not in case.activity.recipients:
        findings.append(case.catalogue.render("art30.undeclared-recipient", case.context()))
    declared = set(case.activity.transfers)
    undeclared = sorted(c for c in case.third_countries if c != ANYWHERE and c not in declared)
    if undeclared:
        findings.append(case.catalogue.render("art30.undeclared-transfer", case.context(undeclared=", ".join(undeclared))))
    return findings


def nis2_supply_chain(case: Case) -> list[Finding]:
    """Every AI vendor the organisation uses belongs in its supplier register (Art. 21(2)(d))."""
    if case.resolution.sovereign is not None:
        return []
    provider = case.resolution.provider
    if provider is not None and provider.id in case.policy.vendors_by_provider:
        return []
    name = provider.name if provider is not None else case.host
    return [case.catalogue.render("nis2.unregistered-vendor", case.context(provider_or_host=name))]
