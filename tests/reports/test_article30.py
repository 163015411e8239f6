"""The Article 30 record, rendered from a store filled by the real pipeline on synthetic traffic."""

from __future__ import annotations

import asyncio
import re
import subprocess
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collector import TrafficGenerator
from douane.cli.main import app
from reports import ReportError, article30_html, build_article30, to_pdf
from stream import PolicySet, SinkConfig, StoreSink
from stream.store import StoreWriter, open_store
from tests.stream.conftest import EXAMPLES, publish, until

pytestmark = pytest.mark.kafka
DAY = date(2026, 11, 2)


@pytest.fixture(scope="module")
def filled_store(kafka_bootstrap: str, tmp_path_factory) -> tuple[Path, str, list]:
    """A store written by the sink from 600 synthetic calls of one shop under the WooCommerce policy."""
    import uuid

    unique = uuid.uuid4().hex[:8]
    tenant = "shop-berlin"
    events = TrafficGenerator((tenant,), seed=21).events(600)
    path = tmp_path_factory.mktemp("reports") / "store.duckdb"
    policies = PolicySet.load([EXAMPLES])
    writer = StoreWriter(path)
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    sink = StoreSink(SinkConfig(kafka_bootstrap, group=f"report-{unique}", start_from="latest"), policies, writer)

    async def fill() -> None:
        running = asyncio.create_task(sink.run())
        await asyncio.wait_for(sink.ready.wait(), 60)
        await asyncio.to_thread(publish, kafka_bootstrap, events)
        await until(lambda: sink.stored >= 600, timeout=60, what="600 stored calls")
        sink.stop()
        await running

    asyncio.run(fill())
    writer.close()
    return path, tenant, [policies.audit(e) for e in events]


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    raw = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", raw)  # reading order, whitespace folded: wrapped cells read as one phrase


def test_the_pdf_holds_every_required_section_and_the_right_figures(filled_store, tmp_path) -> None:
    path, tenant, audited = filled_store
    con = open_store(path, read_only=True)
    report = build_article30(con, tenant, DAY, DAY)
    con.close()
    text = pdf_text(to_pdf(article30_html(report)), tmp_path)
    for section in ("Record of processing activities", "Controller (Art. 30(1)(a))", "(b) Purpose",
                    "(c) Data subjects", "(c) Personal data, declared", "(c) Personal data, observed",
                    "(d) Recipients, declared", "(d) Recipients, observed", "(e) Third countries, declared",
                    "(f) Time limits for erasure", "(g) Security measures", "Transfers as observed", "Sign-off",
                    "Kaffeerösterei Spree GmbH", "Dr. Lena Vogt", "Page 1 of"):
        assert section in text, section
    assert f"AI calls observed {len(audited):,}" in text
    support = sum(1 for i in audited if i.activity_id == "support-chat"
                  and (i.event.personal_data.categories or i.event.personal_data.special_category))
    assert f"{support:,} with personal data" in text
    assert "Seen in traffic but not declared" in text, "declared versus observed is called out"


def test_declared_versus_observed_matches_the_traffic(filled_store) -> None:
    path, tenant, audited = filled_store
    con = open_store(path, read_only=True)
    report = build_article30(con, tenant, DAY, DAY)
    con.close()
    checkout = next(a for a in report.activities if a.id == "checkout-assist")
    seen = {report_name(i) for i in audited if i.activity_id == "checkout-assist" and i.event.personal_data.categories}
    assert {c.name for c in checkout.recipients_observed} == seen
    assert "Azure OpenAI / Microsoft Foundry" in checkout.recipients_declared
    assert set(checkout.recipients_undeclared) == seen - {"Azure OpenAI / Microsoft Foundry"}
    content = next(a for a in report.activities if a.id == "content")
    assert content.calls == 0 and content.transfers == []


def report_name(item) -> str:
    """How the report names a recipient: the registry's name, or ``host:<host>`` when unknown."""
    from rules.registry import load_registry

    if item.provider is None:
        return f"host:{item.event.destination.host}"
    return load_registry().by_id[item.provider].name


def test_output_is_deterministic(filled_store) -> None:
    path, tenant, _ = filled_store
    con = open_store(path, read_only=True)
    first = article30_html(build_article30(con, tenant, DAY, DAY))
    second = article30_html(build_article30(con, tenant, DAY, DAY))
    con.close()
    assert first == second


def test_hostile_text_in_the_policy_is_escaped(filled_store) -> None:
    from reports.models import Article30Report

    path, tenant, _ = filled_store
    con = open_store(path, read_only=True)
    report = build_article30(con, tenant, DAY, DAY)
    con.close()
    record = report.record.model_copy(update={"controller": report.record.controller.model_copy(
        update={"name": "<script>alert(1)</script>"})})
    hostile = report.model_copy(update={"record": record})
    html = article30_html(Article30Report.model_validate(hostile.model_dump()))
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tenant", "shop-berlin", "--from", "2026-10-01", "--to", "2026-10-31"],
         "no calls of shop-berlin between 2026-10-01 and 2026-10-31 in the store; it holds calls of shop-berlin "
         "from 2026-11-02"),
        (["--tenant", "shop-berlin", "--from", "2026-11-30", "--to", "2026-11-01"], "ends (2026-11-01) before"),
        (["--tenant", "shop-berlin", "--from", "yesterday", "--to", "2026-11-01"], "is not a date"),
    ],
)
def test_the_cli_says_what_is_wrong(filled_store, tmp_path, args, message) -> None:
    path, _, _ = filled_store
    result = CliRunner().invoke(app, ["report", "article30", *args, "--out", str(tmp_path / "x.pdf"),
                                      "--store", str(path)])
    assert result.exit_code != 0
    assert message in result.output


def test_the_cli_writes_pdf_html_and_json(filled_store, tmp_path) -> None:
    path, tenant, _ = filled_store
    for fmt, magic in (("pdf", b"%PDF"), ("html", b"<!doctype html>"), ("json", b"{")):
        out = tmp_path / f"a30.{fmt}"
        result = CliRunner().invoke(app, ["report", "article30", "--tenant", tenant, "--from", "2026-11-02",
                                          "--to", "2026-11-02", "--out", str(out), "--format", fmt,
                                          "--store", str(path)])
        assert result.exit_code == 0, result.output
        assert out.read_bytes().startswith(magic)


def test_a_store_from_another_schema_version_is_a_clear_message(tmp_path) -> None:
    import duckdb

    old = tmp_path / "old.duckdb"
    duckdb.connect(str(old)).close()
    result = CliRunner().invoke(app, ["report", "article30", "--tenant", "t", "--from", "2026-11-01",
                                      "--to", "2026-11-02", "--out", str(tmp_path / "x.pdf"), "--store", str(old)])
    assert result.exit_code == 1
    assert "schema version 0" in result.output and "douane store migrate" in result.output


def test_a_tenant_without_a_policy_is_named(filled_store) -> None:
    path, _, _ = filled_store
    con = open_store(path, read_only=True)
    with pytest.raises(ReportError, match="no calls of stranger"):
        build_article30(con, "stranger", DAY, DAY)
    con.close()
