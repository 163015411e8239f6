"""The Article 30 record as a standing record: as of a day, one row per activity and recipient, with role,
processor contract and transfer tool; exported as CSV and XLSX and read back with a library."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from douane.cli.main import app
from reports import article30_html, build_article30, build_record, to_pdf
from reports.spreadsheet import COLUMNS
from rules.policy import load_policy
from rules.taxonomy import display_name
from tests.reports.conftest import built

pytestmark = pytest.mark.kafka
POLICY = load_policy(Path(__file__).parents[2] / "deploy" / "examples" / "woocommerce-shop.policy.yaml")
TODAY = datetime.now(timezone.utc).date()


def expected_rows() -> list[tuple[str, str]]:
    """(activity id, recipient id) per row, straight from the policy file: every activity once per recipient."""
    return [(a.id, p) for a in POLICY.activities for p in (a.recipients or ("none",))]


def row_of(record, activity: str, recipient: str):
    return next(r for r in record.rows if r.activity_id == activity and r.recipient == recipient)


def test_the_record_names_role_contract_and_transfer_tool_per_recipient(evidence) -> None:
    record = built(evidence.path, build_record, evidence.tenant, TODAY)
    assert [r.activity_id for r in record.rows] == [a for a, _ in expected_rows()]
    assert record.as_of == TODAY and record.policy_version == POLICY.version and record.last_updated <= TODAY
    openai = row_of(record, "support-chat", "OpenAI API")
    assert openai.recipient_role == "processor" and openai.dpa == "OpenAI DPA v2025-01, signed 2025-02-03"
    assert openai.third_countries == ["US"] and openai.tools_hold
    assert openai.transfer_tools == ["US: SCC 2021/914 Module 2, signed 2025-02-03; TIA of 2025-03-10, "
                                     "supplementary measures, review by 2027-03-10"]
    anthropic = row_of(record, "support-chat", "Anthropic API")
    assert anthropic.dpa == "none on file" and not anthropic.tools_hold
    assert "covers only DPF-certified recipients" in anthropic.transfer_tools[0]  # the partial adequacy, considered
    mistral = row_of(record, "product-discovery", "Mistral AI")
    assert mistral.third_countries == [] and mistral.recipient_entity == "Mistral AI SAS (FR)"
    checkout = row_of(record, "checkout-assist", "Azure OpenAI / Microsoft Foundry")
    assert checkout.categories == [display_name(c) for c in POLICY.activities[2].categories]
    assert "user.contact.email" not in checkout.categories and "e-mail address" in checkout.categories


def test_the_pdf_is_the_standing_record_with_the_period_as_annex(evidence, tmp_path) -> None:
    report = built(evidence.path, build_article30, evidence.tenant, date(2026, 11, 2), date(2026, 11, 4), TODAY)
    path = tmp_path / "a30.pdf"
    path.write_bytes(to_pdf(article30_html(report)))
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                              check=True).stdout)
    for phrase in (f"Record as of {TODAY}", f"Last updated {report.record.last_updated}",
                   "(d) Recipients and (e) transfer tools", "OpenAI DPA v2025-01, signed 2025-02-03",
                   "SCC 2021/914 Module 2, signed 2025-02-03", f"no transfer tool holds on {TODAY}",
                   "Annex A. Transfers observed, 2026-11-02 to 2026-11-04", "Anthropic PBC (US)"):
        assert phrase in text, phrase
    assert "user.contact.email" not in text, "categories are named as people read them"


def test_csv_and_xlsx_hold_one_row_per_activity_and_recipient(evidence, tmp_path) -> None:
    store = ["--store", str(evidence.path)]
    headings = [h for h, _ in COLUMNS]
    sheets = {}
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"ropa.{fmt}"
        result = CliRunner().invoke(app, ["report", "article30", "--tenant", evidence.tenant, "--format", fmt,
                                          "--out", str(out), *store])
        assert result.exit_code == 0, result.output
        if fmt == "csv":
            sheets[fmt] = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8"))))
        else:
            book = load_workbook(out)
            sheets[fmt] = [["" if v is None else str(v) for v in row]
                           for row in book["Record"].iter_rows(values_only=True)]
            about = {k: v for k, v in book["About"].iter_rows(values_only=True)}
            assert about["Controller"] == POLICY.controller.name and about["Record as of"] == str(TODAY)
    assert sheets["csv"] == sheets["xlsx"]
    table = sheets["csv"]
    assert table[0] == headings
    column = {h: i for i, h in enumerate(headings)}
    assert [(r[column["Activity ID"]]) for r in table[1:]] == [a for a, _ in expected_rows()]
    support_openai = next(r for r in table[1:] if r[column["Activity ID"]] == "support-chat"
                          and r[column["Recipient"]] == "OpenAI API")
    assert support_openai[column["Recipient role"]] == "processor"
    assert support_openai[column["Third countries"]] == "US"
    assert support_openai[column["Transfer tool"]].startswith("US: SCC 2021/914 Module 2")
    assert support_openai[column["Categories of personal data"]] == "; ".join(
        display_name(c) for c in POLICY.activities[1].categories)


def test_a_day_before_any_policy_was_recorded_is_refused(evidence, tmp_path) -> None:
    result = CliRunner().invoke(app, ["report", "article30", "--tenant", evidence.tenant, "--format", "csv",
                                      "--as-of", "2020-01-01", "--out", str(tmp_path / "r.csv"),
                                      "--store", str(evidence.path)])
    assert result.exit_code == 1
    assert "no policy of shop-berlin was recorded by 2020-01-01" in result.output
    missing = CliRunner().invoke(app, ["report", "article30", "--tenant", evidence.tenant, "--out",
                                       str(tmp_path / "r.pdf"), "--store", str(evidence.path)])
    assert missing.exit_code != 0 and "--from and --to" in missing.output


@pytest.mark.parametrize(("basis", "words"), [
    ("derogation_49_1_b", "Art. 49(1)(b) derogation"),
    ("derogation_49_1_compelling", "Art. 49(1) second subparagraph derogation"),
])
def test_the_annex_names_a_derogation_in_the_rules_wording(basis: str, words: str) -> None:
    """The Art. 49 wording comes from ``rules.derogations.article``, not a third copy in the Article 30 builder."""
    from reports.article30 import _safeguard
    from rules.policy import Vendor

    assert _safeguard(Vendor(provider="deepseek"), basis) == words


def test_the_controller_header_is_held_once_by_the_standing_record(evidence) -> None:
    """The record and its annex read one policy (the one in force on --as-of) and the controller header sits in
    the record only: the report does not embed it twice."""
    from reports.models import Article30Report, ControllerHeader

    assert not set(Article30Report.model_fields) & (set(ControllerHeader.model_fields) | {"policy_version"})
    report = built(evidence.path, build_article30, evidence.tenant, date(2026, 11, 2), date(2026, 11, 4), TODAY)
    assert report.record.controller.name == POLICY.controller.name
    assert report.record.policy_version == POLICY.version
    assert [a.id for a in report.activities] == [a.id for a in POLICY.activities]
