"""The DPIA and the NIS2 incident report, rendered from a store the real sink filled."""

from __future__ import annotations

import json

import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from typer.testing import CliRunner

from douane.cli.main import app
from reports import ReportError, build_dpia, build_incident, dpia_html, incident_html, to_pdf
from rules.policy import load_policy
from stream.store import open_store
from tests.reports.conftest import built

pytestmark = pytest.mark.kafka
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 4)
POLICY = load_policy(Path(__file__).parents[2] / "deploy" / "examples" / "woocommerce-shop.policy.yaml")


def pdf_text(pdf: bytes, tmp_path: Path, name: str = "r.pdf") -> str:
    path = tmp_path / name
    path.write_bytes(pdf)
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", raw)


def test_the_dpia_pdf_holds_every_section_and_the_figures(evidence, tmp_path) -> None:
    report = built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)
    text = pdf_text(to_pdf(dpia_html(report)), tmp_path)
    for section in ("Data protection impact assessment", "(a) Systematic description of the processing",
                    "(b) Necessity and proportionality", "WP248 criteria and the evidence for each",
                    "(c) Risks to the rights and freedoms", "(d) Measures envisaged", "Residual risk", "Sign-off",
                    "Advice of the data protection officer", "Kaffeerösterei Spree GmbH", "Page 1 of",
                    "app feature", "likelihood", "Findings over time"):
        assert section in text, section
    special = sum(1 for i in evidence.audited if i.event.personal_data.special_category)
    assert f"{special:,} calls carried Art. 9 data" in text
    assert f"AI calls observed {len(evidence.audited):,}" in text


def test_criteria_and_risks_follow_the_evidence(evidence) -> None:
    report = built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)
    audited = evidence.audited
    by_number = {c.number: c for c in report.criteria}
    assert by_number[4].met == any(i.event.personal_data.special_category for i in audited)
    assert by_number[8].met and not by_number[2].met
    assert report.criteria_met == sum(c.met for c in report.criteria) and report.dpia_required
    expected: dict[str, set] = {}
    for item in audited:
        for finding in (f for f in item.verdict.findings if f.severity.value != "info"):  # info is no risk
            expected.setdefault(finding.rule_id, set()).add(item.event.event_id)
    assert {r.rule_id: r.calls for r in report.risks} == {k: len(v) for k, v in expected.items()}
    for risk in report.risks:
        assert risk.score == risk.likelihood * risk.impact and risk.residual_likelihood <= risk.likelihood
    redirected = sum(1 for i in audited if i.event.outcome.action.value == "redirected")
    failed_over = sum(1 for i in audited if i.event.outcome.action.value == "failed_over")
    assert f"{redirected:,} calls redirected by policy, {failed_over:,} failed over" in report.measures[0].evidence
    days = {c.start.date() for c in report.findings_over_time}
    assert days == {FIRST, date(2026, 11, 3), LAST}
    assert report.findings_bin_minutes == 120, "two days and a quarter of hour of data: 2-hour bins"


def test_the_incident_report_drafts_all_three_stages_with_their_clocks(evidence, tmp_path) -> None:
    con = open_store(evidence.path, read_only=True)
    as_of = datetime(2026, 11, 5, 12, 0, tzinfo=timezone.utc)  # opened 3 Nov ~08:10: 24 h past, 72 h close
    report = build_incident(con, evidence.incident_id, as_of)
    con.close()
    failures = [i.event for i in evidence.audited if i.event.outcome.error_class is not None]
    assert report.calls_affected == len(failures) == report.calls_failed_over
    assert report.count == len(failures) and report.acknowledged_by == "lena.vogt"
    states = {c.name: c.state for c in report.clocks}
    assert states == {"Early warning": "overdue", "Incident notification": "due within 24 h",
                      "Final report": "pending"}
    assert report.cross_border == (len({e.data_subject_country for e in failures}) > 1)
    text = pdf_text(to_pdf(incident_html(report)), tmp_path)
    for section in ("NIS2 incident report", "Reporting clocks", "Timeline and impact", "Early warning — draft",
                    "Incident notification — draft", "Final report — draft", "(ii) Type of threat or root cause",
                    "acknowledged by lena.vogt", "failed over to the sovereign model", "Page 1 of"):
        assert section in text, section
    assert f"{len(failures):,} calls failed" in text


def test_the_cli_writes_each_report_and_names_what_is_wrong(evidence, tmp_path) -> None:
    store = ["--store", str(evidence.path)]
    for fmt, magic in (("pdf", b"%PDF"), ("html", b"<!doctype html>"), ("json", b"{")):
        out = tmp_path / f"dpia.{fmt}"
        result = CliRunner().invoke(app, ["report", "dpia", "--tenant", evidence.tenant, "--from", "2026-11-02",
                                          "--to", "2026-11-04", "--out", str(out), "--format", fmt, *store])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)
    out = tmp_path / "incident.pdf"
    result = CliRunner().invoke(app, ["report", "incident", evidence.incident_id, "--out", str(out),
                                      "--as-of", "2026-11-03T09:00", *store])
    assert result.exit_code == 0, result.output
    assert "early warning due within 24 h" in result.output and out.read_bytes().startswith(b"%PDF")
    said = CliRunner().invoke(app, ["report", "incident", evidence.incident_id, "--out", str(out),
                                     "--as-of", "2026-11-03T09:00", "--json", *store])
    facts = json.loads(said.stdout)  # --json: nothing but JSON on stdout (progress and sizes go to stderr)
    assert facts["out"] == str(out) and facts["format"] == "pdf"
    assert facts["clocks"]["Early warning"] == "due within 24 h"
    unknown = CliRunner().invoke(app, ["report", "incident", "nope", "--out", str(out), *store])
    assert unknown.exit_code == 1 and "no incident 'nope'" in unknown.output and evidence.incident_id in unknown.output
    empty = CliRunner().invoke(app, ["report", "dpia", "--tenant", evidence.tenant, "--from", "2026-10-01",
                                     "--to", "2026-10-02", "--out", str(out), *store])
    assert empty.exit_code == 1 and "no calls of shop-berlin between 2026-10-01 and 2026-10-02" in empty.output


def test_the_same_data_renders_the_same_document(evidence) -> None:
    con = open_store(evidence.path, read_only=True)
    first = dpia_html(build_dpia(con, evidence.tenant, FIRST, LAST))
    second = dpia_html(build_dpia(con, evidence.tenant, FIRST, LAST))
    incident = build_incident(con, evidence.incident_id, datetime(2026, 11, 4, tzinfo=timezone.utc))
    con.close()
    assert first == second
    assert incident_html(incident) == incident_html(incident)


def test_a_gdpr_incident_is_not_drafted_as_nis2(evidence) -> None:
    con = open_store(evidence.path, read_only=True)
    try:
        with pytest.raises(ReportError, match="no incident"):
            build_incident(con, "shop-berlin|gdpr.x|openai|US", None)
    finally:
        con.close()


@pytest.mark.parametrize(("policy", "vulnerable"), [("magento-health-shop", True), ("woocommerce-shop", False)])
def test_vulnerable_subjects_are_read_from_the_policys_taxonomy_keys(policy: str, vulnerable: bool) -> None:
    """WP248 criterion 7 from the declared subjects alone (no Art. 9 call): `patient`, not wave 1's `patients`."""
    from reports.dpia import _criteria
    from rules.policy import load_policy

    loaded = load_policy(Path(__file__).parents[2] / "deploy" / "examples" / f"{policy}.policy.yaml")
    figures = dict.fromkeys(("scoring", "special", "combined", "checkout", "refused", "subject_countries"), 0)
    figures |= {"calls": 10, "with_pd": 5, "distinct_contents": 5, "providers": 1}
    criterion = next(c for c in _criteria(figures, loaded) if c.number == 7)
    assert criterion.met is vulnerable


def test_a_past_incident_is_judged_at_its_last_event_and_tested_for_nis2(evidence, tmp_path) -> None:
    """Without --as-of the clocks stand at the incident's own last event, not at today's date (where all three
    read "overdue"); the applicability and significance tests rest on a recount of the calls."""
    report = built(evidence.path, build_incident, evidence.incident_id)
    assert report.as_of == report.last_seen
    assert {c.name: c.state for c in report.clocks} == {
        "Early warning": "due within 24 h", "Incident notification": "pending", "Final report": "pending"}
    window = [i.event for i in evidence.audited
              if i.provider == "openai" and report.nis2.since <= i.event.observed_at <= report.last_seen]
    failed = [e for e in window if e.outcome.error_class is not None]
    over = [e for e in evidence.audited if e.provider == "openai" and e.event.outcome.action.value == "failed_over"]
    assert report.nis2.calls_in_window == len(window)
    served = sum(1 for e in failed if e.outcome.action.value == "failed_over")
    assert report.nis2.unserved == max(0, len(failed) - served)
    assert report.nis2.features == sorted({e.app.feature for e in failed})
    assert report.nis2.in_scope is False and "38 staff" in report.nis2.scope_reasons[0]
    assert not report.nis2.significant
    assert "openai" not in report.title + report.explanation + report.remediation, "the provider's name, not its id"
    text = pdf_text(to_pdf(incident_html(report)), tmp_path)
    for phrase in ("Applicability and significance", "not an entity under NIS2 — kept as an internal incident record",
                   "the incident's last event (no --as-of given)", "CERT-Bund (BSI)",
                   f"{len(over):,} calls failed over to the sovereign model between",
                   "records an incident (not significant"):
        assert phrase in text, phrase


def test_the_dpia_follows_the_cnil_method_on_recounted_evidence(evidence, tmp_path) -> None:
    """Risks to people (three feared events) on evidence recounted from the audited calls; residual risk below
    inherent where calls were failed over; Art. 36 only for a risk the action plan cannot lower (not for
    remediable violations); necessity, action plan, DPO advice and data subjects' views on the page."""
    report = built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)
    audited = evidence.audited
    pd = [i for i in audited if i.event.personal_data.categories or i.event.personal_data.special_category]
    exposed = [i for i in pd if i.verdict.decision.value in ("unauthorised", "needs_review")]
    failed = [i for i in audited if i.event.outcome.error_class is not None]
    served = [i for i in failed if i.event.outcome.action.value == "failed_over"]
    special = [i for i in audited if i.event.personal_data.special_category]
    special_safeguarded = [i for i in special if i.verdict.decision.value == "allowed_with_safeguard"]
    access, _modification, loss = report.feared_events
    assert f"{len(exposed):,} of {len(pd):,} calls with personal data" in access.likelihood_why
    assert access.severity == (4 if special else 3)
    assert f"{len(served):,} of {len(failed):,} failed calls were served" in loss.measures
    assert failed and loss.residual_likelihood < loss.likelihood, "failover lowers the risk of losing requests"
    assert report.prior_consultation is (bool(special) and 2 * len(special_safeguarded) >= len(special))
    principles = {p.name: p for p in report.necessity}
    uncontracted = sorted(v.provider for v in POLICY.vendors if v.dpa is None and any(
        v.provider in a.recipients for a in POLICY.activities))
    assert (principles["Processor contracts"].state == "action needed") is bool(uncontracted)
    assert principles["Information of data subjects"].state == "to be completed"
    assert {a.what for a in report.actions} >= {"Processor contracts (Art. 28)",
                                                "Transfers outside the EEA (Arts. 44-49)"}
    text = pdf_text(to_pdf(dpia_html(report)), tmp_path)
    for phrase in ("CNIL PIA method", "ICO DPIA template", "4.1 Illegitimate access to personal data",
                   "4.2 Unwanted modification of personal data", "4.3 Disappearance of personal data",
                   "Risk sources", "Potential impacts", "Residual risk per feared event", "6. Action plan",
                   "Views of data subjects or their representatives (Art. 35(9))", "to be completed",
                   "Annex: compliance findings by rule", "Anthropic PBC (US)"):
        assert phrase in text, phrase
    assert "legitimate_interests" not in text and "openai:" not in text, "people's words, not keys"


def test_the_drafts_count_the_outage_from_its_first_failure_and_update_the_figures_at_the_notification(
        evidence, tmp_path) -> None:
    """Failed first: the significance evidence counted the calls "from the opening" (62) beside 64 failed calls
    everywhere else, and the notification draft repeated the opening's "3 lockouts" as its update."""
    report = built(evidence.path, build_incident, evidence.incident_id)
    failures = [i.event for i in evidence.audited if i.provider == "openai" and i.event.outcome.error_class]
    lockouts = sum(1 for e in failures if e.outcome.error_class.value.startswith("lockout"))
    assert report.nis2.since == failures[0].observed_at < report.first_seen, "two failures came before the threshold"
    assert report.nis2.calls_in_window == report.calls_affected == len(failures)
    text = pdf_text(to_pdf(incident_html(report)), tmp_path)
    assert f"{len(failures):,} calls to OpenAI API from the first failure" in text
    assert f"the incident opened at {report.first_seen:%H:%M}, when the policy's threshold was crossed" in text
    update = text[text.index("Update of the early warning"):text.index("Initial assessment")]
    assert f"{lockouts:,} lockouts of OpenAI API" in update and update.index(f"{lockouts:,} lockouts") < update.index(
        "At the opening: 3 lockouts"), update


def test_the_dpia_cover_says_when_the_residual_risk_stands_and_what_art_36_is_judged_on(evidence, tmp_path) -> None:
    """Failed first: the cover read "residual risk very high" beside no word on prior consultation, while the page
    concluded it was not needed (judged after the action plan)."""
    report = built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)
    order = ["none", "low", "medium", "high", "very high"]
    assert report.planned_level == max((e.planned_level for e in report.feared_events), key=order.index)
    cover = pdf_text(to_pdf(dpia_html(report)), tmp_path)
    cover = cover[:cover.index("Contents")]
    assert (f"Residual risk {report.residual_level} after the measures in place, {report.planned_level} after the "
            f"action plan ({len(report.actions)} actions)") in cover
    assert (f"Prior consultation (Art. 36): {'needed' if report.prior_consultation else 'not needed'}, judged after "
            "the plan.") in cover
