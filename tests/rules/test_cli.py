"""``douane rules evaluate | validate | explain`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from collector import TrafficGenerator
from douane.cli.main import app
from douane.contract import decode_verdict, encode

runner = CliRunner()
EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
POLICY = str(EXAMPLES / "woocommerce-shop.policy.yaml")


def test_evaluate_writes_one_verdict_per_event_and_an_error_per_bad_line() -> None:
    events = TrafficGenerator(seed=5).events(6)
    lines = [encode(e).decode() for e in events]
    lines.insert(3, '{"schema": "douane.ai_call/1"}')
    lines.insert(5, "")
    result = runner.invoke(app, ["rules", "evaluate", "--policy", POLICY], input="\n".join(lines) + "\n")
    assert result.exit_code == 1, "a bad line makes the exit status 1, after every line was processed"
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 7
    assert out[3] == {"line": 4, "error": out[3]["error"]} and "event_id: Field required" in out[3]["error"]
    verdicts = [decode_verdict(json.dumps(o).encode()) for i, o in enumerate(out) if i != 3]
    assert [v.event_id for v in verdicts] == [e.event_id for e in events]
    assert "1 line(s) were not valid events" in result.stderr


def test_evaluate_all_good_exits_zero() -> None:
    events = TrafficGenerator(seed=6).events(3)
    result = runner.invoke(app, ["rules", "evaluate", "--policy", POLICY],
                           input="".join(encode(e).decode() + "\n" for e in events))
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 3


def test_evaluate_with_a_broken_policy_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "p.yaml"
    bad.write_text((EXAMPLES / "woocommerce-shop.policy.yaml").read_text().replace("employees: 38", "employees: x"))
    result = runner.invoke(app, ["rules", "evaluate", "--policy", str(bad)], input="")
    assert result.exit_code == 1
    assert f"{bad}:12: controller.employees: Input should be a valid integer" in result.output


def test_evaluate_with_an_own_registry(tmp_path: Path) -> None:
    source = Path(__file__).parents[2] / "rules" / "data" / "providers.yaml"
    moved = source.read_text().replace('{pattern: "api.deepseek.com", locations: ["CN"]}',
                                       '{pattern: "api.deepseek.com", locations: ["DE"]}')
    (tmp_path / "providers.yaml").write_text(moved.replace('country: "CN"', 'country: "DE"'))
    event = next(e for e in TrafficGenerator(seed=9).events(200)
                 if e.destination.provider == "deepseek" and e.personal_data.categories)
    line = encode(event).decode() + "\n"
    shipped = runner.invoke(app, ["rules", "evaluate", "--policy", POLICY], input=line)
    own = runner.invoke(app, ["rules", "evaluate", "--policy", POLICY, "--registry", str(tmp_path)], input=line)
    assert own.exit_code == 0, own.output
    assert json.loads(shipped.stdout)["basis"] == "none"
    assert json.loads(own.stdout)["basis"] == "eea", "the registry given on the command line decides"


def test_validate_reports_each_file() -> None:
    files = [str(p) for p in sorted([*EXAMPLES.glob("*.policy.yaml"), *EXAMPLES.glob("*.rules.yaml")])]  # not gateway.yaml
    result = runner.invoke(app, ["rules", "validate", *files])
    assert result.exit_code == 0, result.output
    assert result.stdout.count("ok  ") == len(files)


def test_validate_fails_on_a_bad_file(tmp_path: Path) -> None:
    bad = tmp_path / "r.yaml"
    bad.write_text("- rule: r\n  desc: d\n  condition: nope = 1\n  output: o\n  priority: low\n  remediation: x\n")
    unknown = tmp_path / "u.yaml"
    unknown.write_text("hello: world\n")
    result = runner.invoke(app, ["rules", "validate", str(bad), str(unknown)])
    assert result.exit_code == 1
    assert f"{bad}:3:" in result.output and "unknown field or macro 'nope'" in result.output
    assert "not a Douane rules file" in result.output
    as_json = runner.invoke(app, ["rules", "validate", "--json", str(bad), str(EXAMPLES / "woocommerce-shop.policy.yaml")])
    lines = [json.loads(line) for line in as_json.stdout.splitlines()]
    assert as_json.exit_code == 1 and [line["ok"] for line in lines] == [False, True]
    assert f"{bad}:3:" in lines[0]["problem"] and lines[1]["kind"] == "policy"


def test_explain_prints_the_path_in_words(tmp_path: Path) -> None:
    event = next(e for e in TrafficGenerator(seed=9).events(200)
                 if e.destination.provider == "deepseek" and e.personal_data.categories)
    path = tmp_path / "e.json"
    path.write_bytes(encode(event))
    result = runner.invoke(app, ["rules", "explain", "--policy", POLICY, str(path)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Destination: api.deepseek.com -> DeepSeek API" in text
    assert "Decision path:" in text and "=> unauthorised (none)" in text
    assert "[high] chapter-v.no-basis" in text or "[critical] chapter-v.no-basis" in text
    assert "What to do:" in text


def test_explain_refuses_a_bad_event() -> None:
    result = runner.invoke(app, ["rules", "explain", "--policy", POLICY], input="not json")
    assert result.exit_code == 1
    assert "Invalid JSON" in result.output
