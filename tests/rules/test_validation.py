"""``rules validate`` refuses each typo class with the file, the line and the nearest valid name (issue 15, class 7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from douane.cli.main import app
from rules.validate import validate_file

EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"
POLICY = EXAMPLES / "woocommerce-shop.policy.yaml"
RULES = EXAMPLES / "woocommerce-shop.rules.yaml"


def typo(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    """A copy of ``source`` (and the rule file beside it) with one typo."""
    shutil.copy(RULES, tmp_path / RULES.name)
    text = source.read_text()
    assert old in text, old
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1))
    return target


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.policy.yaml")) + sorted(EXAMPLES.glob("*.rules.yaml")),
                         ids=lambda p: p.name)
def test_every_example_validates(example: Path) -> None:
    assert validate_file(example)[1] is None


@pytest.mark.parametrize(
    ("source", "old", "new", "needle", "expected"),
    [
        (POLICY, "  - provider: mistral\n", "  - provider: mistrall\n", "provider: mistrall",
         "unknown provider id 'mistrall'; did you mean 'mistral'?"),
        (POLICY, "recipients: [azure-openai]", "recipients: [azure-opneai]", "azure-opneai",
         "unknown provider id 'azure-opneai'; did you mean 'azure-openai'?"),
        (POLICY, "categories: [user.contact.email, user.name,", "categories: [user.contact.emial, user.name,",
         "user.contact.emial", "'user.contact.emial' is not a fideslang data category; did you mean 'user.contact.email'?"),
        (POLICY, "data_subjects: [customer, visitor]", "data_subjects: [customers, visitor]", "customers, visitor",
         "'customers' is not a fideslang data subject; did you mean 'customer'?"),
        (POLICY, "categories: [user.contact.address, user.financial.bank_account",
         "categories: [user.contact.address, user.genetic", "user.genetic",
         "did you mean 'user.health_and_medical.genetic'?"),
    ],
    ids=["vendor-provider", "recipient", "category", "data-subject", "old-special-prefix"],
)
def test_policy_typos_are_refused_with_line_and_suggestion(tmp_path, source, old, new, needle, expected) -> None:
    path = typo(tmp_path, source, old, new)
    kind, problem = validate_file(path)
    assert kind == "policy"
    assert problem is not None and expected in problem
    assert f"{path}:{line_of(path, needle)}:" in problem


def test_a_feature_no_activity_declares_is_refused_in_the_policys_rules(tmp_path) -> None:
    path = typo(tmp_path, POLICY, "match: {features: [checkout]}", "match: {features: [check_out]}")
    _, problem = validate_file(path)
    rules = tmp_path / RULES.name
    assert problem is not None
    assert "feature 'checkout' is not declared by any activity's match.features; did you mean 'check_out'?" in problem
    assert f"{rules}:{line_of(rules, 'app.feature in eea_only_features')}:" in problem


def test_a_category_outside_the_taxonomy_is_refused_in_a_rule_file(tmp_path) -> None:
    path = typo(tmp_path, RULES, "pmatch (user.financial)", "pmatch (user.finance)")
    kind, problem = validate_file(path)
    assert kind == "custom-rules"
    assert problem is not None and "'user.finance' is not a fideslang data category; did you mean 'user.financial'?" in problem
    assert f"{path}:{line_of(path, 'pmatch (user.finance)')}:" in problem


def test_the_cli_exits_1_and_names_the_problem(tmp_path) -> None:
    path = typo(tmp_path, POLICY, "  - provider: mistral\n", "  - provider: mistrall\n")
    result = CliRunner().invoke(app, ["rules", "validate", str(path)])
    assert result.exit_code == 1
    assert "did you mean 'mistral'?" in result.stderr


@pytest.mark.parametrize("data", sorted((Path(__file__).parents[2] / "rules" / "data").glob("*.yaml")),
                         ids=lambda p: p.name)
def test_every_shipped_data_file_validates(data: Path) -> None:
    kind, problem = validate_file(data)
    assert kind != "unknown" and problem is None, problem


def test_a_broken_taxonomy_file_names_file_and_line(tmp_path) -> None:
    source = Path(__file__).parents[2] / "rules" / "data" / "taxonomy.yaml"
    path = typo(tmp_path, source, "  user.name: Name", "  user.name: [Name]")
    _, problem = validate_file(path)
    assert problem is not None and f"{path}:{line_of(path, 'user.name: [Name]')}:" in problem
