"""Findings read as a compliance officer would say them (issue 16): category names, Art. 9 for Art. 9 data only;
and ``rules.wording``, the names every line people read is built from (lists, places, providers, bases)."""

from __future__ import annotations

import pytest

from rules.wording import basis_in_words, categories_in_words, in_words, shipped_wording
from tests.rules.conftest import call, engine_for, make_policy

WORDS = shipped_wording()


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



@pytest.mark.parametrize(
    ("items", "expected"),
    [([], ""), (["a"], "a"), (["a", "b"], "a and b"), (["a", "b", "c"], "a, b and c")],
)
def test_lists_read_a_b_and_c(items: list[str], expected: str) -> None:
    assert in_words(items) == expected


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("CH", "Switzerland"),  # an adequacy decision's name
        ("EU", "the European Union"),  # the zone, without its "(member state not named)"
        ("GB", "the United Kingdom"),
        ("US", "the United States"),  # the decision's "(EU-U.S. Data Privacy Framework)" is its scope, not a place
        ("NL", "the Netherlands"),  # an EEA member's name
        ("KR", "the Republic of Korea"),
        ("CN", "China"),  # outside the jurisdictions file: ISO 3166
        ("PS", "the State of Palestine"),  # ISO's "Palestine, State of", turned round
        ("CD", "the Democratic Republic of the Congo"),
        ("VG", "the British Virgin Islands"),
        ("BQ", "Bonaire, Sint Eustatius and Saba"),  # one name with a comma in it: left as it is
        ("TW", "Taiwan"),  # ISO's common name
        ("*", "unknown locations"),
        (None, "unknown locations"),
        ("ZZ", "ZZ"),  # no name anywhere: the code, not a guess
    ],
)
def test_places_by_name(code: str | None, expected: str) -> None:
    assert WORDS.place(code) == expected


@pytest.mark.parametrize(
    ("codes", "expected"),
    [
        ({"GB", "EU", "CH"}, "Switzerland, the European Union and the United Kingdom"),
        ({"*", "US"}, "the United States and unknown locations"),
        ({"*"}, "unknown locations"),
        (set(), "unknown locations"),
    ],
)
def test_places_in_code_order_unknown_last(codes: set[str], expected: str) -> None:
    assert WORDS.places(codes) == expected


@pytest.mark.parametrize(
    ("provider", "expected"),
    [("aws-bedrock", "Amazon Bedrock"), ("unknown", "an unknown provider"), (None, "an unknown provider"),
     ("in-house-llm", "in-house-llm")],
)
def test_providers_by_the_registry_name(provider: str | None, expected: str) -> None:
    assert WORDS.provider(provider) == expected


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        ({"user.contact.email", "user.contact.address"}, "postal address and e-mail address"),
        ({"user.financial.tax_id"}, "national ID or tax number"),  # an alias reads as its target
        (set(), "none detected"),
    ],
)
def test_categories_by_their_plain_names(keys: set[str], expected: str) -> None:
    assert categories_in_words(keys) == expected


@pytest.mark.parametrize(
    ("basis", "expected"),
    [("scc", "SCC (Art. 46)"), ("not_a_transfer", "not a transfer"), ("derogation_49_1_b", "Art. 49(1)(b)"),
     ("derogation_49_1_compelling", "Art. 49(1) second subparagraph")],
)
def test_bases_as_reports_name_them(basis: str, expected: str) -> None:
    assert basis_in_words(basis) == expected


@pytest.mark.parametrize(("codes", "words"), [
    ({"CH", "EU", "GB"}, "Switzerland, the European Union and the United Kingdom"),
    ({"*", "US"}, "the United States and unknown locations"),
    ({"*"}, "unknown locations"),
])
def test_builtin_findings_name_places_as_rules_wording_does(codes: set, words: str) -> None:
    from rules.case import describe_locations

    assert describe_locations(codes) == words


def test_a_builtin_finding_names_the_country_not_its_code() -> None:
    verdict = engine_for(make_policy()).evaluate(call("api.deepseek.com"))

    [no_basis] = [f for f in verdict.findings if f.rule_id == "chapter-v.no-basis"]
    assert "goes to China with DeepSeek" in no_basis.explanation, no_basis.explanation


def test_how_a_route_was_resolved_names_places() -> None:
    verdict = engine_for(make_policy()).evaluate(call("api.anthropic.com"))

    [unknown] = [f for f in verdict.findings if f.rule_id == "chapter-v.location-unknown"]
    assert "'global' processes in unknown locations" in unknown.explanation, unknown.explanation


def test_no_builtin_finding_opens_on_a_place_name_that_may_start_with_the() -> None:
    from collections import defaultdict

    from rules.catalogue import load_catalogue

    context = defaultdict(lambda: "X", locations="the United States and unknown locations")
    for template in load_catalogue().by_id.values():
        text = template.explanation.format_map(context)
        assert text[0].isupper(), (template.id, text)
