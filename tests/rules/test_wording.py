"""Findings read as a compliance officer would say them (issue 16): category names, Art. 9 for Art. 9 data only."""

from __future__ import annotations

from tests.rules.conftest import call, engine_for, make_policy


def test_the_art9_finding_names_only_the_special_categories_by_their_names() -> None:
    event = call("api.aleph-alpha.com", special=True,
                 categories=("user.contact.email", "user.contact.phone_number", "user.financial.bank_account",
                             "user.health_and_medical"))

    verdict = engine_for(make_policy()).evaluate(event)

    [art9] = [f for f in verdict.findings if f.rule_id == "gdpr.art9-no-exception"]
    assert "special-category data (" in art9.explanation
    named = art9.explanation.split("special-category data (")[1].split(")")[0]
    assert "email" not in named.lower() and "phone" not in named.lower() and "bank" not in named.lower(), named
    assert "user." not in art9.explanation, "category names, not taxonomy keys"
    assert "health" in named.lower()


def test_other_findings_name_categories_not_keys() -> None:
    verdict = engine_for(make_policy()).evaluate(call("api.deepseek.com"))

    texts = " ".join(f.explanation for f in verdict.findings)
    assert "user.contact.email" not in texts and "mail" in texts.lower()


def test_an_azure_resource_without_a_region_says_what_to_configure() -> None:
    verdict = engine_for(make_policy()).evaluate(call("shop-ai.openai.azure.com", model="gpt-4o"))

    [unknown] = [f for f in verdict.findings if f.rule_id == "chapter-v.location-unknown"]
    assert "'shop-ai'" in unknown.explanation and "region" in unknown.explanation
    assert "add it to the policy" in unknown.explanation and "resources" in unknown.explanation, unknown.explanation
