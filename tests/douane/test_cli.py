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


def test_status_as_json_for_scripts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path))
    result = runner.invoke(app, ["kafka", "status", "--json"])
    assert result.exit_code == 1
    answer = json.loads(result.stdout)
    assert answer["running"] is False and answer["answering"] is False and answer["home"] == str(tmp_path / "kafka")


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
    assert "douane.redirect    partitions=6   retention=40m" in result.output
    assert "(every record gone within 56m)" in result.output
    as_json = [json.loads(line) for line in runner.invoke(app, ["kafka", "topics", "--json"]).stdout.splitlines()]
    redirect = next(t for t in as_json if t["topic"] == "douane.redirect")
    assert redirect["config"]["segment.ms"] == "600000" and redirect["longest_life_ms"] == 56 * 60_000


def _scc_calls_to_openai_in_the_outage(events: int) -> int:
    """Berlin's calls in the demo's lockout window that rested on the OpenAI SCCs the stricter policy drops."""
    from collector import TrafficGenerator
    from douane.cli.demo import _outage

    outage = _outage()
    traffic = TrafficGenerator(("shop-berlin", "shop-lyon"), seed=7, outages=(outage,)).events(events)
    return sum(1 for e in traffic if outage.start <= e.observed_at < outage.end and e.tenant == "shop-berlin"
               and e.destination.provider == "openai" and e.app.feature in ("support_chat", "checkout"))


@pytest.fixture
def demo_home(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``douane demo`` on the session's broker, with the test's tmp_path as DOUANE_HOME."""
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path))


@pytest.mark.kafka
@pytest.mark.usefixtures("demo_home")
def test_demo_audits_stores_and_verifies_synthetic_traffic(tmp_path: Path) -> None:
    result = runner.invoke(app, ["demo", "--events", "40"])
    assert result.exit_code == 0, result.output
    run = (tmp_path / "runs" / "latest").resolve()
    assert run.parent == tmp_path / "runs"
    assert "3/7 audited 40 calls" in result.output
    assert f"40 written to {run / 'store'}" in result.output
    assert "3 malformed records went to douane.dlq" in result.output
    assert re.search(r"live +[\d.]+ s +audited +40/40 .* calls/s .* incidents \d+", result.output), result.output
    assert re.search(r"4/7 \d+ incidents \(not \d+ alerts: one per incident\) sent to the local Slack stand-in",
                     result.output), result.output
    assert re.search(r"5/7 ledger: \d+ batches, 40 records, intact", result.output), result.output
    moved = _scc_calls_to_openai_in_the_outage(40)
    assert moved, "the demo's first 40 calls hold no SCC-based OpenAI call in the lockout window"
    assert "6/7 replay of the OpenAI lockout window under a stricter policy" in result.output
    # Without the SCCs, OpenAI's EEA entity is only assumed (rules/data/providers.yaml): review, not prohibition.
    assert re.search(rf"chapter-v\.recipient-assumed +\d+ → \d+ +\+{moved} ", result.output), result.output
    assert re.search(rf"decision +allowed_with_safeguard → needs_review +{moved} calls", result.output), result.output
    assert json.loads((run / "replay.json").read_text())["differs"] is True
    assert "7/7 reports for the DPO" in result.output
    for shop in ("shop-berlin", "shop-lyon"):
        for kind in ("article30", "dpia"):
            assert (run / "reports" / f"{kind}-{shop}.pdf").read_bytes().startswith(b"%PDF")
    nis2 = list((run / "reports").glob("nis2-*.pdf"))  # the OpenAI lockout in the traffic opened one
    assert nis2 and all(p.read_bytes().startswith(b"%PDF") for p in nis2), result.output
    assert f"Everything this run wrote is in {run}" in result.output
    slack_calls = [json.loads(line) for line in (run / "reports" / "slack-calls.jsonl").read_text().splitlines()]
    assert any(c.get("method") == "chat.postMessage" for c in slack_calls), slack_calls[:3]
    assert "(DOUANE_KAFKA_BOOTSTRAP): not the demo's to stop" in result.output
    assert "ERROR" not in result.output and "Traceback" not in result.output


@pytest.mark.kafka
@pytest.mark.usefixtures("demo_home")
def test_a_second_demo_run_starts_a_fresh_folder_and_counts_only_its_own_calls(tmp_path: Path) -> None:
    first = runner.invoke(app, ["demo", "--events", "30"])
    second = runner.invoke(app, ["demo", "--events", "30"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    runs = sorted(p for p in (tmp_path / "runs").iterdir() if p.name != "latest")
    assert len(runs) == 2 and (tmp_path / "runs" / "latest").resolve() == runs[1]
    for output in (first.output, second.output):
        assert re.search(r"5/7 ledger: \d+ batches, 30 records, intact", output), output
    replays = [json.loads((run / "replay.json").read_text())["totals"]["calls"] for run in runs]
    assert replays[0] == replays[1] > 0  # the second replay does not see the first run's calls on the broker
