"""Invariants of the engine, checked on generated calls (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from douane.contract import Decision, Severity
from tests.rules.conftest import JURISDICTIONS, REGISTRY, call, engine_for, make_policy

EEA = sorted(m.code for m in JURISDICTIONS.eea.members)
CATEGORIES = ["user.contact.email", "user.name", "user.contact.address", "user.financial.bank_account",
              "user.health_and_medical", "user.contact.phone_number"]
FEATURES = ["support_chat", "checkout", "content", "hr_assistant", "health_chat", "legal", "unknown_feature"]
EEA_HOSTS = ["api.aleph-alpha.com", "api.eu.mistral.ai", "bedrock-runtime.eu-central-1.amazonaws.com",
             "bedrock-runtime.eu-west-1.amazonaws.com", "bedrock-runtime.eu-north-1.amazonaws.com"]
KNOWN_HOSTS = {h for h in REGISTRY.exact_hosts}

days = st.dates(min_value=date(2019, 1, 1), max_value=date(2035, 12, 31))
categories = st.lists(st.sampled_from(CATEGORIES), max_size=4, unique=True).map(tuple)
labels = st.from_regex(r"[a-z][a-z0-9-]{0,12}[a-z0-9]", fullmatch=True)
unknown_hosts = st.lists(labels, min_size=2, max_size=4).map(".".join).filter(
    lambda h: h not in KNOWN_HOSTS and not h.endswith(("amazonaws.com", "azure.com", "googleapis.com",
                                                       "openai.com", "api.aws")))

POLICY = make_policy()
ENGINE = engine_for(POLICY)
CHAPTER_V_PROBLEMS = ("chapter-v.no-basis", "chapter-v.location-unknown", "chapter-v.unknown-destination",
                      "chapter-v.adequacy-scope-unverified", "chapter-v.adequacy-expired")


@settings(max_examples=300, deadline=None)
@given(host=st.sampled_from(EEA_HOSTS), cats=categories, feature=st.sampled_from(FEATURES),
       special=st.booleans(), day=days)
def test_eea_to_eea_is_never_a_chapter_v_finding(host, cats, feature, special, day) -> None:
    verdict = ENGINE.evaluate(call(host, categories=cats, feature=feature, special=special, day=day))
    assert verdict.decision is Decision.ALLOWED
    chapter_v = [f for f in verdict.findings if f.rule_id.startswith("chapter-v.")]
    assert all(f.severity is Severity.INFO for f in chapter_v), [f.rule_id for f in chapter_v]


@settings(max_examples=300, deadline=None)
@given(location=st.sampled_from(EEA), operator=st.sampled_from(["controller", "processor"]), cats=categories,
       special=st.booleans(), day=days)
def test_sovereign_endpoints_in_the_eea_are_allowed(location, operator, cats, special, day) -> None:
    policy = make_policy(sovereign_endpoints=[{"host": "llm.own.example", "location": location,
                                               "operator": operator}])
    verdict = engine_for(policy).evaluate(call("llm.own.example", categories=cats, special=special, day=day))
    assert verdict.decision is Decision.ALLOWED
    assert not any(f.rule_id in CHAPTER_V_PROBLEMS for f in verdict.findings)


@settings(max_examples=300, deadline=None)
@given(host=unknown_hosts, cats=categories, feature=st.sampled_from(FEATURES), special=st.booleans(), day=days)
def test_an_unknown_destination_is_never_allowed(host, cats, feature, special, day) -> None:
    verdict = ENGINE.evaluate(call(host, categories=cats, feature=feature, special=special, day=day))
    assert verdict.decision is Decision.NEEDS_REVIEW
    assert any(f.rule_id == "chapter-v.unknown-destination" for f in verdict.findings)


@settings(max_examples=200, deadline=None)
@given(host=st.sampled_from(["api.mistral.ai", "aiplatform.googleapis.com", "api.cohere.com",
                             "generativelanguage.googleapis.com"]),
       cats=st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True).map(tuple), day=days)
def test_anywhere_without_a_safeguard_is_never_allowed(host, cats, day) -> None:
    verdict = ENGINE.evaluate(call(host, categories=cats, day=day))
    assert verdict.decision in (Decision.NEEDS_REVIEW, Decision.UNAUTHORISED)


@settings(max_examples=200, deadline=None)
@given(host=st.sampled_from(sorted(KNOWN_HOSTS) + EEA_HOSTS + ["x.example"]), cats=categories,
       feature=st.sampled_from(FEATURES), special=st.booleans(), day=days)
def test_verdicts_are_deterministic_and_the_memo_changes_nothing(host, cats, feature, special, day) -> None:
    event = call(host, categories=cats, feature=feature, special=special, day=day)
    cached = ENGINE.evaluate(event)
    fresh = engine_for(POLICY).evaluate(event)
    assert cached == fresh == ENGINE.evaluate(event)
    worst = max((f.severity for f in cached.findings), key=lambda s: s.rank, default=Severity.INFO)
    assert cached.severity is worst
    assert cached.articles == tuple(dict.fromkeys(a for f in cached.findings for a in f.articles))
    rule_ids = [f.rule_id for f in cached.findings]
    assert len(rule_ids) == len(set(rule_ids)), "one finding per rule per call"


@settings(max_examples=200, deadline=None)
@given(host=st.sampled_from(sorted(KNOWN_HOSTS)), cats=categories, feature=st.sampled_from(FEATURES), day=days)
def test_special_category_data_never_lowers_severity(host, cats, feature, day) -> None:
    plain = ENGINE.evaluate(call(host, categories=cats, feature=feature, day=day))
    special = ENGINE.evaluate(call(host, categories=cats, feature=feature, day=day, special=True))
    assert special.severity.rank >= plain.severity.rank
    assert special.decision is plain.decision or not cats


@settings(max_examples=100, deadline=None)
@given(host=st.sampled_from(sorted(KNOWN_HOSTS) + ["x.example"]), cats=categories, feature=st.sampled_from(FEATURES))
def test_the_fast_verdict_equals_a_validated_one(host, cats, feature) -> None:
    from douane.contract import Verdict, decode_verdict, encode

    verdict = ENGINE.evaluate(call(host, categories=cats, feature=feature))
    validated = Verdict.model_validate(verdict.model_dump(by_alias=True))
    assert validated == verdict
    assert decode_verdict(encode(verdict)) == verdict
    assert verdict.model_copy(update={"tenant": "other"}).tenant == "other"
