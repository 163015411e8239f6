"""The DPIA's inputs from people (policy ``dpia``: DPO advice, data subjects' views, action-plan owners):
validated with file and line, and shown in the DPIA — filled for the Berlin shop, "to be completed" for Lyon."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from collector import TrafficGenerator
from reports import build_dpia, dpia_html, to_pdf
from rules.errors import RuleDataError
from rules.policy import Policy, load_policy
from rules.yamlio import parse_model
from stream import PolicySet
from stream.store import StoreWriter
from tests.reports.conftest import built
from tests.reports.test_dpia import FIRST, LAST, pdf_text
from tests.stream.conftest import EXAMPLES

BERLIN = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")
BASE = (EXAMPLES / "magento-health-shop.policy.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(("block", "line", "expected"), [
    ("dpia:\n  owners: {transfer: Jonas}\n", 2, "owners.transfer"),
    ("dpia:\n  dpo_advice: {by: Camille, text: fine}\n", 2, "dpo_advice.date: Field required"),
    ("dpia:\n  dpo_advice: {by: Camille, date: someday, text: fine}\n", 2, "dpo_advice.date"),
    ("dpia:\n  data_subjects_views: {how: a survey, date: 2026-10-01}\n", 2, "missing: summary"),
    ("dpia:\n  data_subjects_views: {how: a survey, not_sought: too few customers}\n", 2, "not both"),
    ("dpia:\n  owners: {default: ''}\n", 2, "owners.default"),
])
def test_a_wrong_dpia_block_is_named_with_its_file_and_line(block: str, line: int, expected: str) -> None:
    text = BASE + "\n" + block
    at = text.count("\n", 0, text.rindex("\ndpia:") + 1) + line
    with pytest.raises(RuleDataError) as caught:
        parse_model(text, Policy, "shop.policy.yaml")
    message = str(caught.value)
    assert f"shop.policy.yaml:{at}: dpia." in message and expected in message, message


def test_views_not_sought_and_owners_by_area() -> None:
    policy = parse_model(BASE + "\ndpia:\n  data_subjects_views: {not_sought: a survey would reveal who is ill}\n"
                                "  owners: {transfers: IT lead}\n", Policy)
    assert policy.dpia.data_subjects_views.not_sought == "a survey would reveal who is ill"
    assert policy.dpia.owner_of("transfers", "DPO") == "IT lead"
    assert policy.dpia.owner_of("rights", "DPO") == "DPO", "no default named: the fallback (the DPO)"
    assert BERLIN.dpia.owner_of("rights", "DPO") == "Dr. Lena Vogt", "the policy's default owner"


def test_the_dpia_shows_the_advice_views_and_owners_the_policy_records(evidence, tmp_path) -> None:
    report = built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)
    assert report.dpo_advice == BERLIN.dpia.dpo_advice and report.subjects_views == BERLIN.dpia.data_subjects_views
    owners = {a.what: a.owner for a in report.actions}
    assert owners["Processor contracts (Art. 28)"] == "Jonas Krüger (purchasing)"
    assert owners["Transfers outside the EEA (Arts. 44-49)"] == "Jonas Krüger (purchasing)"
    assert owners["Rights of data subjects (Arts. 15-21): complete the assessment"] == "Dr. Lena Vogt"
    text = pdf_text(to_pdf(dpia_html(report)), tmp_path)
    for phrase in ("Product-search prompts must not go to Anthropic", "given by Dr. Lena Vogt on 2026-10-27",
                   "most object to order details leaving the EU",
                   "sought by online survey of 412 newsletter subscribers and a session with the customer panel "
                   "on 2026-10-20", "Jonas Krüger (purchasing)"):
        assert phrase in text, phrase
    signoff = text[text.rindex("7. Advice, views and sign-off"):]  # the heading, not the contents
    assert "to be completed" not in signoff[:signoff.index("Sign-off", 30)]


@pytest.fixture(scope="module")
def lyon_store(tmp_path_factory) -> Path:
    """A store of the Lyon pharmacy (no ``dpia`` block in its policy), written by the real store writer."""
    policies = PolicySet.load([EXAMPLES])
    start = datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
    events = TrafficGenerator(("shop-lyon",), seed=41, start=start).events(200)
    path = tmp_path_factory.mktemp("lyon") / "store.duckdb"
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    writer.write([policies.audit(e) for e in events])
    writer.close()
    return path


def test_without_a_dpia_block_advice_and_views_are_to_be_completed_and_the_dpo_owns_the_plan(lyon_store,
                                                                                            tmp_path) -> None:
    report = built(lyon_store, build_dpia, "shop-lyon", date(2026, 11, 1), date(2026, 11, 4))
    assert report.dpo_advice is None and report.subjects_views is None
    assert report.actions and {a.owner for a in report.actions} == {"Camille Marchand"}
    text = pdf_text(to_pdf(dpia_html(report)), tmp_path)
    signoff = text[text.rindex("7. Advice, views and sign-off"):]  # the heading, not the contents
    assert "(Art. 35(2)) to be completed (policy: dpia.dpo_advice)" in signoff
    assert "to be completed — or state why seeking them is not appropriate" in signoff
