"""Fixtures for the rules tests: the shipped data, a test policy, and an event builder."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from douane.contract import (
    Action,
    AICallEvent,
    AppContext,
    CategoryCount,
    Destination,
    HintSource,
    Outcome,
    PersonalData,
    RegionHint,
    ScanState,
    Tap,
    TapKind,
    Verdict,
)
from douane.ids import uuid7
from rules.catalogue import load_catalogue
from rules.engine import Engine
from rules.jurisdictions import load_jurisdictions
from rules.policy import Policy
from rules.registry import load_registry

REGISTRY = load_registry()
JURISDICTIONS = load_jurisdictions()
CATALOGUE = load_catalogue()
DAY = date(2026, 11, 21)

ALL_PROVIDERS = [p.id for p in REGISTRY.providers]

BASE_POLICY: dict[str, Any] = {
    "version": "test-1",
    "tenants": ["shop-test"],
    "controller": {"name": "Test Shop GmbH", "contact": "dpo@test.example", "country": "DE"},
    "activities": [
        {"id": "support", "name": "Support chat", "purpose": "Answer customers", "legal_basis": "contract",
         "data_subjects": ["customer"], "categories": ["user.contact.email", "user.name"], "retention": "30 days",
         "recipients": ALL_PROVIDERS, "transfers": ["US", "CN", "GB", "CH", "CA", "JP", "KR", "BR", "SG", "AU", "IN"],
         "match": {"features": ["support_chat"]}},
        {"id": "health", "name": "Health advice", "purpose": "Advise on products", "legal_basis": "consent",
         "special_category_basis": "explicit_consent", "data_subjects": ["patient"],
         "categories": ["user.health_and_medical"], "retention": "1 year", "recipients": ALL_PROVIDERS,
         "transfers": ["US"], "match": {"features": ["health_chat"]}},
        {"id": "catalogue", "name": "Catalogue texts", "purpose": "Write texts", "legal_basis": "legitimate_interests",
         "data_subjects": [], "retention": "published", "recipients": ALL_PROVIDERS,
         "match": {"features": ["content"]}},
        {"id": "hr", "name": "HR assistant", "purpose": "Answer staff questions", "legal_basis": "contract",
         "data_subjects": ["employee"], "categories": ["user.name"], "retention": "1 year",
         "recipients": ALL_PROVIDERS, "transfers": ["US"], "match": {"features": ["hr_assistant"]}},
        {"id": "checkout", "name": "Checkout help", "purpose": "Complete orders", "legal_basis": "contract",
         "data_subjects": ["customer"], "categories": ["user.contact.address"], "retention": "session",
         "recipients": ALL_PROVIDERS, "transfers": ["CN", "US"], "derogations": ["49_1_b"],
         "transfer_frequency": "occasional", "match": {"features": ["checkout"]}},
        {"id": "legal", "name": "Legal claims", "purpose": "Defend claims", "legal_basis": "legitimate_interests",
         "data_subjects": ["customer"], "categories": ["user.name"], "retention": "6 years",
         "recipients": ALL_PROVIDERS, "transfers": ["CN"], "derogations": ["49_1_compelling"],
         "match": {"features": ["legal"]}},
        {"id": "legal-doc", "name": "Legal claims (documented)", "purpose": "Defend claims",
         "legal_basis": "legitimate_interests", "data_subjects": ["customer"], "categories": ["user.name"],
         "retention": "6 years", "recipients": ALL_PROVIDERS, "transfers": ["CN"],
         "derogations": ["49_1_compelling"],
         "compelling_interest": {"assessment": "LIA-2026-04", "supervisory_authority_informed": "2026-04-02",
                                 "data_subjects_informed": True, "limited_data_subjects": True},
         "transfer_frequency": "occasional",
         "match": {"features": ["legal_documented"]}},
    ],
    "vendors": [],
    "sovereign_endpoints": [
        {"host": "llm.shop.internal", "location": "DE", "operator": "controller"},
        {"host": "llm.hoster.example", "location": "NL", "operator": "processor"},
        {"host": "llm.us-hoster.example", "location": "US", "operator": "processor"},
    ],
}


def make_policy(vendors: list[dict] | None = None, **changes: Any) -> Policy:
    """The base policy with ``vendors`` and top-level ``changes`` applied."""
    data = {**BASE_POLICY, "vendors": vendors or [], **changes}
    return Policy.model_validate(data)


def v(provider: str, **kw: Any) -> dict:
    """A vendor-register entry for ``provider`` with the fields ``kw``."""
    return {"provider": provider, **kw}


def engine_for(policy: Policy, custom=None) -> Engine:
    """An engine on the shipped registry and jurisdictions."""
    return Engine(REGISTRY, policy, JURISDICTIONS, CATALOGUE, custom=custom)


def call(host: str, *, model: str | None = None, geo: str | None = None, feature: str = "support_chat",
         categories: tuple[str, ...] = ("user.contact.email",), special: bool = False, day: date = DAY,
         provider: str | None = None, platform: str = "woocommerce", tenant: str = "shop-test",
         scan: ScanState = ScanState.COMPLETE, consent_ref: str | None = None,
         processing_country: str | None = None, entity_country: str | None = None) -> AICallEvent:
    """An event for a call to ``host``."""
    hints = (RegionHint(source=HintSource.BODY_FIELD, key="inference_geo", value=geo),) if geo else ()
    return AICallEvent(
        event_id=uuid7(),
        observed_at=datetime(day.year, day.month, day.day, 12, 0, tzinfo=timezone.utc),
        tap=Tap(kind=TapKind.GATEWAY, name="test"),
        tenant=tenant,
        app=AppContext(platform=platform, feature=feature),
        destination=Destination(host=host, path="/v1/chat/completions", model=model, region_hints=hints,
                                provider=provider, processing_country=processing_country,
                                entity_country=entity_country),
        personal_data=PersonalData(
            categories=tuple(CategoryCount(category=c, count=1) for c in categories), special_category=special,
            scan=scan),
        outcome=Outcome(action=Action.FORWARDED, status=200),
        consent_ref=consent_ref,
    )


def assert_verdict(verdict: Verdict, case: Any) -> None:
    """The checks every table of verdict cases makes: decision and basis, the findings it ``has`` and ``lacks``."""
    rules = {f.rule_id for f in verdict.findings}
    assert (verdict.decision, verdict.basis) == (case.decision, case.basis), f"findings: {sorted(rules)}"
    assert set(case.has) <= rules, f"missing {set(case.has) - rules}; got {sorted(rules)}"
    assert not set(case.lacks) & rules, f"unexpected {set(case.lacks) & rules}"


@pytest.fixture
def base_engine() -> Engine:
    """An engine on the base policy without vendors."""
    return engine_for(make_policy())
