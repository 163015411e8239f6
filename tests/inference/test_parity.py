"""``douane parity``: both sides asked every prompt, figures side by side."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from deploy.standins.llm import LLMStandIn
from douane.cli.main import app
from inference.parity import similarity

runner = CliRunner()


def test_similarity_table() -> None:
    cases = [("a b c", "a b c", 1.0), ("a b c d", "a b x d", 0.75), ("ja", "nein", 0.0), ("A B", "a b", 1.0)]
    for left, right, expected in cases:
        assert similarity(left, right) == expected, (left, right)


def test_parity_compares_a_baseline_with_the_sovereign_engine(tmp_path: Path) -> None:
    baseline = LLMStandIn(reply="Ihre Bestellung ist unterwegs und kommt morgen an.").start()
    sovereign = LLMStandIn(reply="Ihre Bestellung kommt morgen an.").start()
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Wo ist meine Bestellung?\n\nWann kommt mein Paket?\n", encoding="utf-8")
    out = tmp_path / "parity.json"
    result = runner.invoke(app, ["parity", "--prompts", str(prompts), "--baseline-url", baseline.origin,
                                 "--baseline-model", "gpt-4o", "--base-url", sovereign.origin,
                                 "--model", "llama-de", "--json", str(out)])
    baseline.stop()
    sovereign.stop()
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert report["summary"]["prompts"] == 2 and report["summary"]["failed"] == 0
    assert report["summary"]["baseline_median_words"] == 8 and report["summary"]["sovereign_median_words"] == 5
    assert report["summary"]["mean_similarity"] == similarity(baseline.reply, sovereign.reply) == 0.769
    assert [s.body["model"] for s in sovereign.seen] == ["llama-de", "llama-de"]
    assert "summary: prompts=2" in result.stdout


def test_parity_names_an_empty_prompt_file(tmp_path: Path) -> None:
    empty = tmp_path / "none.txt"
    empty.write_text("\n\n")
    result = runner.invoke(app, ["parity", "--prompts", str(empty), "--baseline-url", "http://127.0.0.1:9",
                                 "--baseline-model", "m", "--base-url", "http://127.0.0.1:9", "--model", "m"])
    assert result.exit_code == 1 and "no prompts" in result.output
