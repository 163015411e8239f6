"""``douane rules explain`` says what was decided and why, true to the verdict (issue 15)."""

from __future__ import annotations

from douane.contract import ScanState
from rules.explain import explain
from tests.rules.conftest import call, engine_for, make_policy
from tests.rules.test_judgments import activity, with_activities


def test_the_explanation_names_the_verdict_and_each_derogation_considered() -> None:
    engine = engine_for(make_policy(**with_activities(
        activity("ab", "f_ab", derogations=["49_1_a", "49_1_b"], transfer_frequency="occasional"))))
    event = call("api.deepseek.com", feature="f_ab")
    text = explain(engine, event)
    verdict = engine.evaluate(event)
    assert f"Verdict: {verdict.decision.value} on basis {verdict.basis.value}" in text
    assert "49(1)(a): not usable, the event carries no consent reference" in text
    assert "49(1)(b): conditions met, relied on" in text
    assert "reading applied: EDPB Guidelines 2/2018" in text and "consent reference absent" in text


def test_the_explanation_says_the_text_reading_when_the_policy_chose_it() -> None:
    engine = engine_for(make_policy(readings={"derogations_systematic": "text"}, **with_activities(
        activity("b", "f_b", derogations=["49_1_b"]))))
    text = explain(engine, call("api.deepseek.com", feature="f_b"))
    assert "reading applied: the article's wording" in text
    assert "readings.derogations_systematic: text" in text  # in the finding's explanation too
    assert "Verdict: allowed on basis derogation_49_1_b" in text


def test_the_explanation_says_when_the_recipient_is_assumed() -> None:
    engine = engine_for(make_policy())
    text = explain(engine, call("api.openai.com"))
    assert "Recipient: OpenAI Ireland Ltd (IE), ASSUMED by the registry" in text
    assert "Verdict: needs_review" in text
    assert "with OpenAI OpCo, LLC the call would be unauthorised" in text


def test_the_explanation_says_when_content_was_not_observed() -> None:
    engine = engine_for(make_policy())
    text = explain(engine, call("api.deepseek.com", feature="support_chat", categories=(),
                                scan=ScanState.NOT_OBSERVED))
    assert "none detected (content not observed)" in text
    assert "Judged on: detected plus the activity's declared categories (user.contact.email, user.name)" in text


def test_categories_carry_their_human_names() -> None:
    text = explain(engine_for(make_policy()), call("api.aleph-alpha.com", categories=("user.contact.email",)))
    assert "e-mail address [user.contact.email] x1" in text
