"""Falco-like custom rules: the condition language, rule files, and their findings in verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from douane.contract import Action, Decision, Enforcement, ErrorClass, Severity, Tap, TapKind
from rules.custom import compile_condition, load_rulesets, parse_ruleset
from rules.custom.fields import EVENT_PATHS, FIELDS, STATIC_FIELDS, Subject
from rules.errors import ConditionError, RuleDataError
from tests.rules.conftest import call, engine_for, make_policy

ENGINE = engine_for(make_policy())
DEEPSEEK = call("api.deepseek.com", categories=("user.financial.bank_account", "user.contact.email"))
EEA = call("api.aleph-alpha.com", feature="checkout", categories=())


def subject(event) -> Subject:
    return Subject(event, ENGINE.decide(event))


@pytest.mark.parametrize(
    ("condition", "event", "expected"),
    [
        ("dest.provider = deepseek", DEEPSEEK, True),
        ("dest.provider != deepseek", DEEPSEEK, False),
        ("dest.provider in (openai, deepseek)", DEEPSEEK, True),
        ("dest.provider in (openai, mistral)", DEEPSEEK, False),
        ("dest.locations contains CN", DEEPSEEK, True),
        ("dest.locations intersects (US, CN)", DEEPSEEK, True),
        ("dest.locations intersects (US, GB)", DEEPSEEK, False),
        ("data.categories pmatch (user.financial)", DEEPSEEK, True),
        ("data.categories pmatch (user.health)", DEEPSEEK, False),
        ("data.categories contains user.contact.email", DEEPSEEK, True),
        ("data.categories exists", DEEPSEEK, True),
        ("data.categories exists", EEA, False),
        ("dest.host startswith api.", DEEPSEEK, True),
        ("dest.host endswith .com", DEEPSEEK, True),
        ("dest.host contains seek", DEEPSEEK, True),
        ("data.special = false", DEEPSEEK, True),
        ("outcome.status >= 200 and outcome.status < 300", DEEPSEEK, True),
        ("outcome.status > 200", DEEPSEEK, False),
        ("verdict.decision = unauthorised", DEEPSEEK, True),
        ("verdict.basis in (eea, not_a_transfer)", EEA, True),
        ("not verdict.basis in (eea, not_a_transfer)", EEA, False),
        ("app.feature = checkout or dest.provider = deepseek", EEA, True),
        ("app.feature = checkout and dest.provider = deepseek", EEA, False),
        ("not (app.feature = checkout and dest.provider = deepseek)", EEA, True),
        ('tenant = "shop-test"', EEA, True),
        ("outcome.error_class exists", EEA, False),
        ("dest.entity_country = DE", EEA, True),
    ],
)
def test_condition_table(condition: str, event, expected: bool) -> None:
    assert compile_condition(condition)(subject(event)) is expected


def test_macros_and_lists() -> None:
    lists = {"foreign": ("openai", "deepseek")}
    macros = {"foreign_call": compile_condition("dest.provider in foreign", lists=lists)}
    pred = compile_condition("foreign_call and data.categories exists", macros, lists)
    assert pred(subject(DEEPSEEK)) is True
    assert pred(subject(EEA)) is False


@pytest.mark.parametrize(
    ("condition", "error", "column"),
    [
        ("", "empty condition", None),
        ("dest.provider", "expected an operator", 14),
        ("dest.provder = x", "unknown field or macro 'dest.provder'", 1),
        ("dest.provider = ", "condition ends too early", None),
        ("dest.provider in openai", "expected '(' or a list name", 18),
        ("(dest.provider = x", "missing ')'", None),
        ("dest.provider = x y", "unexpected 'y'", 19),
        ("dest.locations = US", "use 'in', 'contains' or 'intersects'", 16),
        ("dest.locations in (US)", "is a set: use 'intersects'", 16),
        ("dest.provider intersects (a)", "needs a set-valued field", 15),
        ("outcome.status > lots", "compares numbers", 16),
        ("dest.provider = x ; drop", "unexpected character ';'", 19),
        ("and = x", "expected a field or macro", 1),
        ("not " * 40 + "data.special = true", "nested deeper than 32", None),
    ],
)
def test_syntax_errors_say_what_and_where(condition: str, error: str, column: int | None) -> None:
    with pytest.raises(ConditionError) as err:
        compile_condition(condition)
    assert error in str(err.value)
    if column is not None:
        assert f"column {column})" in str(err.value)


RULES = """
- version: "1"
- list: banned
  items: [deepseek]
- macro: payment
  condition: data.categories pmatch (user.financial)
- rule: banned-provider
  desc: A banned provider was called.
  condition: dest.provider in banned
  output: "%app.feature called %dest.provider at %dest.host with %data.categories"
  priority: critical
  tags: [nis2]
  articles: ["NIS2 Art. 21(2)(d)"]
  remediation: Remove the integration.
- rule: payment-leaves-eea
  desc: Payment data left the EEA.
  condition: payment and not verdict.basis in (eea, not_a_transfer)
  output: "payment data to %dest.locations"
  priority: high
  remediation: Keep payments in the EEA.
  exceptions:
    - name: reviewed
      fields: [tenant, dest.provider]
      values: [[shop-reviewed, deepseek]]
- rule: disabled-rule
  desc: Never runs.
  condition: data.special = false
  output: x
  priority: low
  remediation: none
  enabled: false
"""


def test_rule_file_findings_in_the_verdict() -> None:
    ruleset = parse_ruleset(RULES)
    assert ruleset.versions == ["1"]
    verdict = engine_for(make_policy(), custom=ruleset).evaluate(DEEPSEEK)
    custom = {f.rule_id: f for f in verdict.findings if f.rule_id.startswith("custom.")}
    assert set(custom) == {"custom.banned-provider", "custom.payment-leaves-eea"}
    banned = custom["custom.banned-provider"]
    assert banned.explanation == ("support_chat called DeepSeek API at api.deepseek.com with "
                                  "e-mail address and IBAN / bank account")
    assert banned.severity is Severity.CRITICAL and banned.articles == ("NIS2 Art. 21(2)(d)",)
    assert verdict.severity is Severity.CRITICAL
    assert verdict.enforcement is Enforcement.BLOCK, "a critical custom finding escalates enforcement"
    assert verdict.decision is Decision.UNAUTHORISED, "custom rules add findings; Chapter V decides"


def test_exceptions_silence_a_rule_for_matching_rows() -> None:
    ruleset = parse_ruleset(RULES)
    event = call("api.deepseek.com", categories=("user.financial.bank_account",), tenant="shop-reviewed")
    verdict = engine_for(make_policy(), custom=ruleset).evaluate(event)
    assert "custom.payment-leaves-eea" not in {f.rule_id for f in verdict.findings}
    assert "custom.banned-provider" in {f.rule_id for f in verdict.findings}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("- rule: r\n  desc: d\n  condition: dest.nope = 1\n  output: o\n  priority: low\n  remediation: x\n",
         3, "unknown field or macro 'dest.nope'"),
        ("- rule: r\n  condition: data.special = true\n  desc: d\n  output: o\n  priority: low\n  remediation: x\n",
         1, "keys out of order"),
        ("- rule: r\n  desc: d\n  condition: data.special = true\n  output: o\n  priority: urgent\n"
         "  remediation: x\n", 5, "priority"),
        ("- rule: r\n  desc: d\n  condition: data.special = true\n  output: o\n  priority: low\n", 1, "remediation"),
        ("- rule: r\n  macro: m\n", 1, "exactly one of"),
        ("- list: l\n  items: [a]\n  extra: 1\n", 3, "Extra inputs"),
        ("rule: r\n", 1, "a rules file is a YAML list"),
        ("- rule: r\n  desc: d\n  condition: data.special = true\n  output: '%dest.nowhere'\n  priority: low\n"
         "  remediation: x\n", 4, "rule r: output uses unknown field %dest.nowhere"),
    ],
)
def test_broken_rule_files_name_line_and_reason(text: str, line: int, reason: str) -> None:
    with pytest.raises(RuleDataError) as err:
        parse_ruleset(text, "team.rules.yaml")
    assert f"team.rules.yaml:{line}:" in str(err.value)
    assert reason in str(err.value)


def test_the_example_rules_load_with_the_example_policy() -> None:
    examples = Path(__file__).parents[2] / "deploy" / "examples"
    ruleset = load_rulesets([examples / "woocommerce-shop.rules.yaml"])
    assert [r.item.rule for r in ruleset.rules] == ["payment-data-outside-eea", "banned-provider",
                                                     "eea-feature-left-eea"]


PLANNED = """
- rule: names-the-tenant
  desc: Fires per decision, but its line names the calling shop.
  condition: dest.provider = deepseek
  output: "%tenant called %dest.provider"
  priority: low
  remediation: none
- rule: reads-the-model
  desc: Its condition reads the event, so it runs for every call.
  condition: dest.model = deepseek-chat
  output: "model %dest.model"
  priority: low
  remediation: none
- rule: fixed
  desc: Reads only what the decision fixes.
  condition: dest.provider = deepseek
  output: "to %dest.provider"
  priority: low
  remediation: none
"""


def test_rules_memoised_per_decision_still_read_each_event() -> None:
    """Calls that share a decision must not share a rendered line: each names its own tenant and model."""
    engine = engine_for(make_policy(), custom=parse_ruleset(PLANNED))

    def custom(tenant: str, model: str) -> dict[str, str]:
        event = call("api.deepseek.com", tenant=tenant, model=model)
        return {f.rule_id: f.explanation for f in engine.evaluate(event).findings if f.rule_id.startswith("custom.")}

    first = custom("shop-a", "deepseek-chat")
    second = custom("shop-b", "deepseek-reasoner")
    assert first == {"custom.names-the-tenant": "shop-a called DeepSeek API",
                     "custom.reads-the-model": "model deepseek-chat", "custom.fixed": "to DeepSeek API"}
    assert second == {"custom.names-the-tenant": "shop-b called DeepSeek API", "custom.fixed": "to DeepSeek API"}
    assert list(first) == ["custom.names-the-tenant", "custom.reads-the-model", "custom.fixed"], "file order"


def test_every_field_is_fixed_by_the_memo_key_or_read_into_it() -> None:
    """The engine memoises whole verdicts on its key plus the event fields rules read: none may be left out."""
    assert set(FIELDS) <= STATIC_FIELDS | set(EVENT_PATHS), set(FIELDS) - STATIC_FIELDS - set(EVENT_PATHS)


def _outcome(event, **update):
    return event.model_copy(update={"outcome": event.outcome.model_copy(update=update)})


BASE = call("api.deepseek.com")


@pytest.mark.parametrize(
    ("condition", "other"),
    [
        ('tenant = "shop-test"', BASE.model_copy(update={"tenant": "shop-other"})),
        ("tap.kind = gateway", BASE.model_copy(update={"tap": Tap(kind=TapKind.SDK, name="test")})),
        ("tap.name = test", BASE.model_copy(update={"tap": Tap(kind=TapKind.GATEWAY, name="other")})),
        ("data.subject_country = DE", BASE.model_copy(update={"data_subject_country": "FR"})),
        ("outcome.action = forwarded", _outcome(BASE, action=Action.BLOCKED)),
        ("outcome.status = 200", _outcome(BASE, status=503)),
        ("not outcome.error_class exists", _outcome(BASE, error_class=ErrorClass.UPSTREAM_5XX)),
    ],
)
def test_a_rule_reading_the_event_is_judged_per_event_though_the_decision_is_shared(condition: str, other) -> None:
    """Two calls with one decision that differ in the field a rule reads: it fires on the first only."""
    first = BASE.model_copy(update={"data_subject_country": "DE"}) if "subject_country" in condition else BASE
    rules = f"""
- rule: reads-one-field
  desc: Reads a field the decision does not fix.
  condition: {condition}
  output: "read"
  priority: low
  remediation: none
"""
    engine = engine_for(make_policy(), custom=parse_ruleset(rules))
    fired = [any(f.rule_id == "custom.reads-one-field" for f in engine.evaluate(e).findings) for e in (first, other)]
    assert engine.decide(first) is engine.decide(other), "the two calls share one decision"
    assert fired == [True, False]
