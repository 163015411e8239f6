"""The ``douane`` command as a user runs it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from douane.cli.main import app

runner = CliRunner()


def test_schema_prints_every_json_schema() -> None:
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0, result.output
    assert set(json.loads(result.stdout)) == {
        "douane.ai_call/1", "douane.verdict/1", "douane.redirect/1", "douane.response/1"}


def test_schema_writes_files(tmp_path: Path) -> None:
    result = runner.invoke(app, ["schema", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["douane.ai_call-v1.schema.json", "douane.redirect-v1.schema.json",
                       "douane.response-v1.schema.json", "douane.verdict-v1.schema.json"]
    assert json.loads((tmp_path / written[0]).read_text())["title"] == "AICallEvent"


def test_unknown_schema_is_a_clear_error() -> None:
    result = runner.invoke(app, ["schema", "douane.nope/1"])
    assert result.exit_code == 2
    assert "unknown schema 'douane.nope/1'" in result.output


def test_status_without_a_broker_says_so_and_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path))
    result = runner.invoke(app, ["kafka", "status"])
    assert result.exit_code == 1
    assert "Kafka is not running" in result.output


def test_topics_without_a_broker_names_the_fix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path))
    monkeypatch.delenv("DOUANE_KAFKA_BOOTSTRAP", raising=False)
    result = runner.invoke(app, ["kafka", "topics"])
    assert result.exit_code == 1
    assert "douane kafka up" in result.output and "DOUANE_KAFKA_BOOTSTRAP" in result.output


def test_bad_setting_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOUANE_TOPIC_PARTITIONS", "many")
    result = runner.invoke(app, ["kafka", "status"])
    assert result.exit_code == 1
    assert "topic_partitions" in result.output


@pytest.mark.kafka
def test_topics_are_idempotent(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    result = runner.invoke(app, ["kafka", "topics"])
    assert result.exit_code == 0, result.output
    assert result.output.count("exists ") == 6
    assert "douane.redirect    partitions=6   retention=1h" in result.output


@pytest.mark.kafka
def test_demo_audits_stores_and_verifies_synthetic_traffic(
    kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path))
    result = runner.invoke(app, ["demo", "--events", "40"])
    assert result.exit_code == 0, result.output
    assert "3/6 audited 40 calls" in result.output
    assert f"40 written to {tmp_path / 'store'}" in result.output
    assert "3 malformed records went to douane.dlq" in result.output
    assert re.search(r"4/6 \d+ incidents \(not \d+ alerts: one per incident\) sent to the local Slack stand-in",
                     result.output), result.output
    assert re.search(r"5/6 ledger: \d+ batches, 40 records, intact", result.output), result.output
    assert "6/6 reports for the DPO" in result.output
    for shop in ("shop-berlin", "shop-lyon"):
        for kind in ("article30", "dpia"):
            assert (tmp_path / "reports" / f"{kind}-{shop}.pdf").read_bytes().startswith(b"%PDF")
    nis2 = list((tmp_path / "reports").glob("nis2-*.pdf"))  # the OpenAI lockout in the traffic opened one
    assert nis2 and all(p.read_bytes().startswith(b"%PDF") for p in nis2), result.output
