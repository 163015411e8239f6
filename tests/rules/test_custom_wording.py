"""Custom rules' output lines in words a DPO reads: names for categories, places and providers, never raw keys."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from douane.contract import Basis, Decision, ErrorClass, Severity
from rules.custom import load_rulesets, parse_ruleset
from rules.custom.fields import FIELDS, Subject
from rules.errors import RuleDataError
from rules.engine import Engine
from tests.rules.conftest import CATALOGUE, JURISDICTIONS, REGISTRY, call, engine_for, make_policy

EXAMPLE = Path(__file__).parents[2] / "deploy" / "examples" / "woocommerce-shop.rules.yaml"
ENGINE = engine_for(make_policy())
CALL = call("api.mistral.ai", categories=("user.contact.address", "user.contact.email"))


def example_line(rule: str, **decided) -> str:
    """The example file's ``rule`` rendered for CALL, with the decision's fields set to ``decided``."""
    ruleset = load_rulesets([EXAMPLE])
    compiled = next(r for r in ruleset.rules if r.item.rule == rule)
    return compiled.render(Subject(CALL, dataclasses.replace(ENGINE.decide(CALL), **decided)))


@pytest.mark.parametrize(
    ("rule", "decided", "expected"),
    [
        ("eea-feature-left-eea",
         {"provider": "mistral", "locations": frozenset({"*"}),
          "categories": frozenset({"user.contact.address", "user.contact.email"})},
         "support_chat sent postal address and e-mail address to Mistral AI (unknown locations)"),
        ("payment-data-outside-eea",
         {"provider": "aws-bedrock", "locations": frozenset({"CH", "EU", "GB"}), "feature": "checkout"},
         "Payment data from checkout (tenant shop-test) went to Amazon Bedrock in Switzerland, "
         "the European Union and the United Kingdom"),
        ("banned-provider", {"provider": "deepseek", "host": "api.deepseek.com", "feature": "checkout"},
         "checkout called banned provider DeepSeek API (api.deepseek.com)"),
        ("eea-feature-left-eea",
         {"provider": "openai", "locations": frozenset({"US", "*"}), "categories": frozenset({"user.name"})},
         "support_chat sent name to OpenAI API (the United States and unknown locations)"),
    ],
)
def test_the_example_rules_read_in_plain_words(rule: str, decided: dict, expected: str) -> None:
    assert example_line(rule, **decided) == expected


def test_the_engine_names_with_its_own_registry_and_jurisdictions() -> None:
    ruleset = parse_ruleset("""
- rule: anything
  desc: Fires on every call.
  condition: dest.provider exists
  output: "%data.categories to %dest.provider in %dest.locations, seat %dest.entity_country"
  priority: low
  remediation: none
""")
    event = call("api.deepseek.com", categories=("user.financial.bank_account", "user.contact.email"))
    finding = next(f for f in engine_for(make_policy(), custom=ruleset).evaluate(event).findings
                   if f.rule_id == "custom.anything")
    assert finding.explanation == "e-mail address and IBAN / bank account to DeepSeek API in China, seat China"


def test_two_engines_sharing_a_ruleset_each_name_with_their_own_registry() -> None:
    """A rule's lines are memoised: one engine's names must not leak into another's."""
    ruleset = parse_ruleset("""
- rule: names-the-provider
  desc: Names the provider.
  condition: dest.provider = deepseek
  output: "to %dest.provider"
  priority: low
  remediation: none
""")
    renamed = REGISTRY.model_copy(update={"providers": tuple(
        p.model_copy(update={"name": "DeepSeek (the shop's own name)"}) if p.id == "deepseek" else p
        for p in REGISTRY.providers)})
    policy = make_policy()
    shipped, own = (Engine(r, policy, JURISDICTIONS, CATALOGUE, custom=ruleset) for r in (REGISTRY, renamed))
    lines = [[f.explanation for f in engine.evaluate(call("api.deepseek.com")).findings
              if f.rule_id == "custom.names-the-provider"] for engine in (shipped, own, shipped)]
    assert lines == [["to DeepSeek API"], ["to DeepSeek (the shop's own name)"], ["to DeepSeek API"]]


def test_conditions_still_compare_the_keys() -> None:
    """Words are for the line only: a condition on keys matches as before."""
    ruleset = parse_ruleset("""
- rule: keys
  desc: Compares keys.
  condition: dest.provider = deepseek and dest.locations contains CN and data.categories contains user.contact.email
  output: "%dest.provider_id in %dest.location_codes with %data.category_keys"
  priority: low
  remediation: none
""")
    event = call("api.deepseek.com", categories=("user.financial.bank_account", "user.contact.email"))
    found = {f.rule_id: f.explanation for f in engine_for(make_policy(), custom=ruleset).evaluate(event).findings}
    assert found["custom.keys"] == "deepseek in CN with user.contact.email, user.financial.bank_account"


EVERY_FIELD = {
    "tenant": "shop-test",
    "tap.kind": "gateway",
    "tap.name": "test",
    "app.platform": "woocommerce",
    "app.feature": "support_chat",
    "dest.host": "api.openai.com",
    "dest.model": "gpt-4o",
    "dest.provider": "OpenAI API",
    "dest.provider_id": "openai",
    "dest.locations": "the United States and unknown locations",
    "dest.location_codes": "*, US",
    "dest.entity_country": "Ireland",
    "dest.entity_country_code": "IE",
    "data.categories": "e-mail address and IBAN / bank account",
    "data.category_keys": "user.contact.email, user.financial.bank_account",
    "data.special": "no",
    "data.subject_country": "Germany",
    "data.subject_country_code": "DE",
    "outcome.action": "forwarded",
    "outcome.status": "200",
    "outcome.error_class": "upstream 5xx",
    "verdict.decision": "unauthorised",
    "verdict.basis": "not a transfer",
    "verdict.severity": "high",
}


def _one_of_each() -> Subject:
    event = call("api.openai.com", model="gpt-4o", categories=("user.contact.email", "user.financial.bank_account"))
    outcome = event.outcome.model_copy(update={"error_class": ErrorClass.UPSTREAM_5XX})
    event = event.model_copy(update={"data_subject_country": "DE", "outcome": outcome})
    decided = ENGINE.decide(event)
    decided = dataclasses.replace(decided, locations=frozenset({"US", "*"}), entity_country="IE",
                                  basis=Basis.NOT_A_TRANSFER, decision=Decision.UNAUTHORISED, severity=Severity.HIGH)
    return Subject(event, decided)


@pytest.mark.parametrize(("field", "words"), sorted(EVERY_FIELD.items()))
def test_every_output_field_renders_readably(field: str, words: str) -> None:
    ruleset = parse_ruleset(f"""
- rule: shows-one-field
  desc: Shows one field.
  condition: dest.provider exists
  output: "[%{field}]"
  priority: high
  remediation: none
""")
    line = ruleset.rules[0].render(_one_of_each())
    assert line == f"[{words}]"


def test_the_table_covers_every_field() -> None:
    """A field added to the language gets a row above, and so a check that it reads as words."""
    assert set(FIELDS) <= set(EVERY_FIELD), set(FIELDS) - set(EVERY_FIELD)


def test_no_rendered_field_shows_an_underscore_key_or_a_bare_code() -> None:
    """Beyond the table: a word field never prints a dotted key, a snake_case value or a two-letter code."""
    subject = _one_of_each()
    raw = {"tenant", "tap.name", "app.platform", "app.feature", "dest.host", "dest.model", "dest.provider_id",
           "dest.location_codes", "dest.entity_country_code", "data.category_keys", "data.subject_country_code"}
    for field in sorted(set(EVERY_FIELD) - raw):
        line = parse_ruleset(f"""
- rule: r
  desc: d
  condition: dest.provider exists
  output: "%{field}"
  priority: low
  remediation: none
""").rules[0].render(subject)
        assert not re.search(r"\buser\.|_|\b[A-Z]{2}\b", line), (field, line)


@pytest.mark.parametrize(
    ("output", "bad", "hint"),
    [
        ("%dest.provder in %dest.locations", "dest.provder", " (did you mean %dest.provider?)"),
        ("to %nowhere", "nowhere", ";"),
        ("%data.category", "data.category", " (did you mean %data.categories?)"),
    ],
)
def test_a_bad_output_field_names_the_rule_the_field_and_the_line(output: str, bad: str, hint: str) -> None:
    text = ("- rule: ok\n  desc: d\n  condition: data.special = true\n  output: o\n  priority: low\n"
            "  remediation: x\n"
            "- rule: shows-a-typo\n  desc: d\n  condition: data.special = true\n"
            f"  output: \"{output}\"\n  priority: low\n  remediation: x\n")
    with pytest.raises(RuleDataError) as err:
        parse_ruleset(text, "team.rules.yaml")
    message = str(err.value)
    assert message.startswith("team.rules.yaml:10: [1].output: "), message
    assert f"rule shows-a-typo: output uses unknown field %{bad}{hint}" in message, message
    assert "%dest.locations" in message and "%data.category_keys" in message, "it lists the fields an output may use"


def test_a_percent_sign_not_followed_by_a_name_stays_text() -> None:
    ruleset = parse_ruleset("- rule: r\n  desc: d\n  condition: data.special = false\n"
                            "  output: \"100% of %app.feature calls, 5 %\"\n  priority: low\n  remediation: x\n")
    assert ruleset.rules[0].render(_one_of_each()) == "100% of support_chat calls, 5 %"
