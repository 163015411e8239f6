"""Issue 15: a steady stream of calls on a derogation is judged from observed traffic, not only the declaration.

The engine takes the number of calls of the activity to the destination observed in the policy's
window (``observed_calls``, supplied by the stream's counter) and treats more than the policy's
``readings.occasional_use.max_calls`` as systematic use: recital 111 and EDPB Guidelines 2/2018
s. 2.2-2.3 read "occasional" as outside the regular course of action, which a steady stream is not.
The law gives no number, so the policy chooses one (conservative default) and the finding says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from douane.contract import Basis, Decision
from tests.rules.conftest import assert_verdict, call, engine_for, make_policy, v
from tests.rules.test_judgments import DEEPSEEK, DOCUMENTED, SCC2, TIA_OK, activity, with_activities

A, AS, UN = Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD, Decision.UNAUTHORISED
REC_111 = "GDPR recital 111; EDPB Guidelines 2/2018 s. 2.2-2.3 ('occasional': not in the regular course of action)"
ART_49_2ND = "GDPR Art. 49(1) second subparagraph ('not repetitive'); EDPB Guidelines 2/2018 s. 2.8"
ART_49_A = "GDPR Art. 49(1)(a): consent is per transfer; recital 111 limits (b), (c), (e), not (a)"
ART_46 = "GDPR Art. 46(1): a safeguard covers regular transfers; Art. 49 is not reached"
LIMIT = 10  # the policy's default readings.occasional_use.max_calls

OCCASIONAL_B = with_activities(activity("b", "f_b", derogations=["49_1_b"], transfer_frequency="occasional"))


@dataclass
class O:
    """One call with the count of like calls observed in the window, and the verdict it must get."""

    id: str
    source: str
    observed: int | None
    decision: Decision
    basis: Basis
    feature: str = "f_b"
    policy: dict = field(default_factory=lambda: OCCASIONAL_B)
    vendors: list = field(default_factory=list)
    consent: str | None = None
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    says: tuple[str, ...] = ()


CASES = [
    O("no-count-judged-from-the-declaration", REC_111, None, A, Basis.DEROGATION_49_1_B,
      lacks=("chapter-v.derogation-systematic",)),
    O("a-few-calls-are-occasional", REC_111, 3, A, Basis.DEROGATION_49_1_B, lacks=("chapter-v.derogation-systematic",)),
    O("at-the-limit-is-still-occasional", REC_111, LIMIT, A, Basis.DEROGATION_49_1_B,
      lacks=("chapter-v.derogation-systematic",)),
    O("above-the-limit-is-a-steady-stream", REC_111, LIMIT + 1, UN, Basis.NONE,
      has=("chapter-v.derogation-systematic",), says=("observed", "than 10 calls", "within 30 days")),
    O("text-reading-keeps-the-derogation-but-names-the-stream", REC_111, 500, A, Basis.DEROGATION_49_1_B,
      policy={**OCCASIONAL_B, "readings": {"derogations_systematic": "text"}},
      has=("chapter-v.derogation-systematic",), says=("observed",)),
    O("the-policy-sets-a-higher-limit", REC_111, 50, A, Basis.DEROGATION_49_1_B,
      policy={**OCCASIONAL_B, "readings": {"occasional_use": {"max_calls": 100, "window_days": 7}}},
      lacks=("chapter-v.derogation-systematic",)),
    O("the-policy-limit-and-window-are-named", REC_111, 101, UN, Basis.NONE,
      policy={**OCCASIONAL_B, "readings": {"occasional_use": {"max_calls": 100, "window_days": 7}}},
      says=("than 100 calls", "within 7 days")),
    O("compelling-interests-observed-repetitive", ART_49_2ND, LIMIT + 1, UN, Basis.NONE, feature="f_c",
      policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"], compelling_interest=DOCUMENTED,
                                      transfer_frequency="occasional")),
      has=("chapter-v.compelling-undocumented",), says=("repetitive", "observed")),
    O("compelling-interests-with-few-calls", ART_49_2ND, 2, A, Basis.DEROGATION_49_1_COMPELLING, feature="f_c",
      policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"], compelling_interest=DOCUMENTED,
                                      transfer_frequency="occasional"))),
    O("steady-stream-falls-through-to-consent", ART_49_A, LIMIT + 1, A, Basis.DEROGATION_49_1_A, feature="f_ab",
      policy=with_activities(activity("ab", "f_ab", derogations=["49_1_a", "49_1_b"], transfer_frequency="occasional")),
      consent="consent-2026-0042", has=("chapter-v.derogation-systematic",)),
    O("a-safeguard-is-not-affected-by-the-count", ART_46, 10_000, AS, Basis.SCC,
      vendors=[v("deepseek", scc=SCC2, tia=TIA_OK)], lacks=("chapter-v.derogation-systematic",)),
    O("declared-systematic-stays-systematic-with-few-calls", REC_111, 1, UN, Basis.NONE,
      policy=with_activities(activity("b", "f_b", derogations=["49_1_b"])),
      has=("chapter-v.derogation-systematic",), says=("declares",)),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_observed_use(case: O) -> None:
    engine = engine_for(make_policy(case.vendors, **case.policy))
    event = call(DEEPSEEK, feature=case.feature, consent_ref=case.consent)
    verdict = engine.evaluate(event, observed_calls=case.observed)
    assert_verdict(verdict, case)
    text = " ".join(f.explanation for f in verdict.findings)
    for phrase in case.says:
        assert phrase in text, f"{phrase!r} not in: {text}"
    assert case.source


def test_the_observed_count_is_part_of_the_memo() -> None:
    """One engine, the same route and day: the steady call must not reuse the occasional call's verdict."""
    engine = engine_for(make_policy(**OCCASIONAL_B))
    event = call(DEEPSEEK, feature="f_b")
    assert engine.evaluate(event, observed_calls=1).decision is A
    assert engine.evaluate(event, observed_calls=LIMIT + 1).decision is UN
    assert engine.evaluate(event).decision is A


def test_the_decision_says_whether_the_call_rests_on_article_49() -> None:
    """The stream counts only calls that reach Art. 49; a call covered by a safeguard is not one."""
    engine = engine_for(make_policy([v("deepseek", scc=SCC2, tia=TIA_OK)], **OCCASIONAL_B))
    assert engine.decide(call(DEEPSEEK, feature="f_b")).derogation_sought is False
    plain = engine_for(make_policy(**OCCASIONAL_B))
    assert plain.decide(call(DEEPSEEK, feature="f_b")).derogation_sought is True
    assert plain.decide(call(DEEPSEEK, feature="support_chat")).derogation_sought is False


def _relies(derogations: list[str], frequency: str, reading: str) -> dict[str, Any]:
    return {**with_activities(activity("x", "f_x", derogations=derogations, transfer_frequency=frequency)),
            "readings": {"derogations_systematic": reading}}


@settings(max_examples=60, deadline=None)
@given(derogations=st.lists(st.sampled_from(["49_1_a", "49_1_b", "49_1_c", "49_1_e", "49_1_f"]), min_size=1,
                            max_size=3, unique=True),
       frequency=st.sampled_from(["occasional", "systematic"]), reading=st.sampled_from(["edpb", "text"]),
       observed=st.integers(min_value=0, max_value=10 * LIMIT), consent=st.booleans())
def test_observing_more_calls_never_makes_a_verdict_more_permissive(derogations, frequency, reading, observed,
                                                                    consent) -> None:
    engine = engine_for(make_policy(**_relies(derogations, frequency, reading)))
    event = call(DEEPSEEK, feature="f_x", consent_ref="c-1" if consent else None)
    fewer = engine.evaluate(event, observed_calls=observed)
    more = engine.evaluate(event, observed_calls=observed + LIMIT)
    assert _strictness(more.decision) >= _strictness(fewer.decision)
    if observed <= LIMIT:
        assert fewer == engine.evaluate(event), "within the limit the count changes nothing"


def _strictness(decision: Decision) -> int:
    order = [Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD, Decision.NEEDS_REVIEW, Decision.UNAUTHORISED]
    return order.index(decision)
