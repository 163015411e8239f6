"""Invariants of the issue-15 judgments, checked on generated cases (hypothesis).

- an instrument dated after the call never counts (the verdict is the one without it);
- a recipient the registry only assumes never makes a call unauthorised;
- adding a derogation the policy relies on never makes a verdict stricter;
- content that detection did not see is never "not a transfer".
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from douane.contract import Decision, ScanState
from rules.policy import Derogation
from tests.rules.conftest import BASE_POLICY, call, engine_for, make_policy

STRICTNESS = {Decision.ALLOWED: 0, Decision.ALLOWED_WITH_SAFEGUARD: 0, Decision.NEEDS_REVIEW: 1,
              Decision.UNAUTHORISED: 2}
DAYS = st.dates(min_value=date(2019, 1, 1), max_value=date(2034, 12, 31))
GAP = st.integers(min_value=1, max_value=2000).map(lambda n: timedelta(days=n))
CATEGORIES = st.lists(st.sampled_from(["user.contact.email", "user.name", "user.financial.bank_account",
                                       "user.health_and_medical"]), min_size=1, max_size=3, unique=True).map(tuple)
US_ENTITY = {"name": "OpenAI OpCo, LLC", "country": "US"}
ROUTES = [("api.deepseek.com", "deepseek", None), ("api.openai.com", "openai", US_ENTITY),
          ("api.mistral.ai", "mistral", None), ("api.cohere.com", "cohere", None),
          ("bedrock-runtime.ap-southeast-1.amazonaws.com", "aws-bedrock", None)]


def _vendor(provider: str, entity, day: date, *, scc: bool, tia: bool, bcr: bool, dpf: bool, late: str | None,
            gap: timedelta) -> dict:
    before, after = day - gap, day + gap
    vendor: dict = {"provider": provider}
    if entity:
        vendor["contracting_entity"] = entity
    if scc or late == "scc":
        vendor["scc"] = {"module": 2, "signed": str(after if late == "scc" else before)}
    if tia or late == "tia":
        completed = after if late == "tia" else before
        vendor["tia"] = {"completed": str(completed), "review_by": str(max(completed, day) + gap), "outcome": "positive"}
    if bcr or late == "bcr":
        vendor["bcr"] = {"approved_by": "CNIL", "approved": str(after if late == "bcr" else before)}
    if dpf or late == "dpf":
        active = after if late == "dpf" else before
        vendor["dpf"] = {"certified": True, "verified_on": str(max(active, day)), "active_from": str(active)}
    return vendor


@settings(max_examples=250, deadline=None)
@given(route=st.sampled_from(ROUTES), day=DAYS, gap=GAP, late=st.sampled_from(["scc", "tia", "bcr", "dpf"]),
       others=st.fixed_dictionaries({k: st.booleans() for k in ("scc", "tia", "bcr", "dpf")}), cats=CATEGORIES)
def test_an_instrument_dated_after_the_call_never_counts(route, day, gap, late, others, cats) -> None:
    host, provider, entity = route
    others = {**others, late: False}
    with_late = _vendor(provider, entity, day, **others, late=late, gap=gap)
    without = _vendor(provider, entity, day, **others, late=None, gap=gap)
    event = call(host, day=day, categories=cats)
    a = engine_for(make_policy([with_late])).evaluate(event)
    b = engine_for(make_policy([without])).evaluate(event)
    assert (a.decision, a.basis) == (b.decision, b.basis)


@settings(max_examples=250, deadline=None)
@given(host=st.sampled_from(["api.openai.com", "eu.api.openai.com", "us.api.openai.com", "zz.api.openai.com",
                             "api.anthropic.com"]),
       geo=st.sampled_from([None, "us", "global", "mars"]), day=DAYS, cats=CATEGORIES,
       feature=st.sampled_from(["support_chat", "checkout", "health_chat", "legal", "hr_assistant", "x"]),
       dpf=st.booleans(), scc=st.booleans())
def test_an_assumed_recipient_is_never_unauthorised(host, geo, day, cats, feature, dpf, scc) -> None:
    provider = "anthropic" if "anthropic" in host else "openai"
    vendor: dict = {"provider": provider}
    if dpf:
        vendor["dpf"] = {"certified": False, "verified_on": str(day)}
    if scc:
        vendor["scc"] = {"module": 1, "signed": str(day)}
    verdict = engine_for(make_policy([vendor])).evaluate(call(host, geo=geo, day=day, categories=cats,
                                                              feature=feature))
    assert verdict.decision is not Decision.UNAUTHORISED
    if verdict.decision is Decision.NEEDS_REVIEW and any(f.rule_id == "chapter-v.recipient-assumed"
                                                         for f in verdict.findings):
        assert not any(f.rule_id == "chapter-v.no-basis" for f in verdict.findings)


DEROGATIONS = list(Derogation)
DOC = {"assessment": "LIA-1", "supervisory_authority_informed": "2026-01-02", "data_subjects_informed": True,
       "limited_data_subjects": True}


@settings(max_examples=300, deadline=None)
@given(relied=st.lists(st.sampled_from(DEROGATIONS), max_size=4, unique=True), extra=st.sampled_from(DEROGATIONS),
       frequency=st.sampled_from(["occasional", "systematic"]), public=st.booleans(),
       reading=st.sampled_from(["edpb", "text"]), consent=st.sampled_from([None, "consent-1"]),
       documented=st.booleans(), day=DAYS, host=st.sampled_from(["api.deepseek.com", "api.mistral.ai"]))
def test_adding_a_relied_on_derogation_never_makes_a_verdict_stricter(relied, extra, frequency, public, reading,
                                                                       consent, documented, day, host) -> None:
    def verdict(derogations: list) -> Decision:
        activity = {"id": "d", "name": "D", "purpose": "p", "legal_basis": "contract", "data_subjects": ["customer"],
                    "categories": ["user.name"], "retention": "1 d", "recipients": ["deepseek", "mistral"],
                    "transfers": ["CN"], "derogations": [d.value for d in derogations],
                    "transfer_frequency": frequency, "match": {"features": ["derog"]}}
        if documented:
            activity["compelling_interest"] = DOC
        controller = {**BASE_POLICY["controller"], "public_authority": public}
        policy = make_policy(activities=[activity], controller=controller,
                             readings={"derogations_systematic": reading})
        return engine_for(policy).evaluate(call(host, feature="derog", categories=("user.name",), day=day,
                                                consent_ref=consent)).decision

    before = verdict(relied)
    after = verdict([*relied, extra] if extra not in relied else relied)
    assert STRICTNESS[after] <= STRICTNESS[before]


@settings(max_examples=200, deadline=None)
@given(host=st.sampled_from(["api.deepseek.com", "api.openai.com", "api.aleph-alpha.com", "api.mistral.ai",
                             "bedrock-runtime.eu-west-2.amazonaws.com", "llm.hoster.example"]),
       scan=st.sampled_from([ScanState.NOT_OBSERVED, ScanState.BUDGET_EXCEEDED]),
       feature=st.sampled_from(["content", "support_chat", "health_chat", "nothing_declared"]), day=DAYS)
def test_unobserved_content_is_never_not_a_transfer(host, scan, feature, day) -> None:
    verdict = engine_for(make_policy()).evaluate(call(host, categories=(), scan=scan, feature=feature, day=day))
    assert verdict.basis.value != "not_a_transfer"
    assert any(f.rule_id == "chapter-v.content-not-observed" for f in verdict.findings)
