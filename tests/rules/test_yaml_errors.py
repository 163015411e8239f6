"""Broken rule data fails with the file, the line and the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from rules.errors import RuleDataError
from rules.jurisdictions import Jurisdictions, load_jurisdictions
from rules.policy import Policy, load_policy
from rules.registry import load_registry
from rules.yamlio import load_model

DATA = Path(__file__).parents[2] / "rules" / "data"
EXAMPLES = Path(__file__).parents[2] / "deploy" / "examples"


def broken_copy(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text, f"fixture text {old!r} not in {source.name}"
    target = tmp_path / source.name
    target.write_text(text.replace(old, new, 1))
    return target


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def test_shipped_data_and_examples_are_valid() -> None:
    load_jurisdictions()
    load_registry()
    for policy in EXAMPLES.glob("*.policy.yaml"):
        load_policy(policy)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ('- {code: "FR", name: France}', '- {code: "XX", name: France}', '"XX"', "unknown ISO 3166-1 alpha-2 country code 'XX'"),
        ('- {code: "GR", name: Greece}', '- {code: "EL", name: Greece}', '"EL"', "Greece is GR in ISO 3166"),
        ('- {code: "NO", name: Norway}', "- {code: NO, name: Norway}", "code: NO,", 'quote it, "NO"'),
        ("    decided: 2010-10-19\n", "    decided: last tuesday\n", "last tuesday", "valid date"),
        ("    source: review_2024\n    checked: 2026-11-21\n\n  - destination: \"AR\"",
         "    checked: 2026-11-21\n\n  - destination: \"AR\"", 'destination: "AD"', "adequacy.0.source: Field required"),
        ("    scope: {kind: full}\n    source: review_2024", "    scope: {kind: partial}\n    source: review_2024",
         "kind: partial", "scope.kind"),
        ("    source: review_2024\n    checked: 2026-11-21\n\n  - destination: \"AR\"",
         "    source: nowhere\n    checked: 2026-11-21\n\n  - destination: \"AR\"", "", "nowhere"),
    ],
)
def test_broken_jurisdictions_name_file_line_and_reason(tmp_path, old, new, needle, reason) -> None:
    path = broken_copy(tmp_path, DATA / "jurisdictions.yaml", old, new)
    with pytest.raises(RuleDataError) as err:
        load_jurisdictions(path)
    message = str(err.value)
    assert reason in message
    assert str(path) in message
    if needle:
        assert f"{path}:{line_of(path, needle)}:" in message


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ('entity: {name: "Mistral AI SAS", country: "FR"', 'entity: {name: "Mistral AI SAS", country: "FRA"',
         "FRA", "country"),
        ('{pattern: "api.deepseek.com", locations: ["CN"]}', '{pattern: "api.deepseek.com"}', "api.deepseek.com",
         "a fixed host entry lists its locations"),
        ('{pattern: "bedrock-runtime.{region}.amazonaws.com", region_from: host}',
         '{pattern: "bedrock-runtime.amazonaws.com", region_from: host}', "bedrock-runtime.amazonaws.com",
         "needs a {region} label"),
        ("    reveals: \"Nothing about location.\"\n    hosts:\n      - {pattern: \"generativelanguage",
         "    revaels: \"Nothing about location.\"\n    hosts:\n      - {pattern: \"generativelanguage",
         "revaels", "Extra inputs are not permitted"),
    ],
)
def test_broken_registry_names_file_line_and_reason(tmp_path, old, new, needle, reason) -> None:
    path = broken_copy(tmp_path, DATA / "providers.yaml", old, new)
    with pytest.raises(RuleDataError) as err:
        load_registry(path)
    assert reason in str(err.value)
    assert f"{path}:{line_of(path, needle)}:" in str(err.value)


@pytest.mark.parametrize(
    ("old", "new", "needle", "reason"),
    [
        ("  employees: 38", "  employees: many", "employees: many", "valid integer"),
        ("    legal_basis: contract\n    data_subjects: [customer]\n    categories: [user.contact.email, user.name",
         "    legal_basis: contractual\n    data_subjects: [customer]\n    categories: [user.contact.email, user.name",
         "contractual", "legal_basis"),
        ("scc: {module: 2, signed: 2025-02-03}", "scc: {module: 5, signed: 2025-02-03}", "module: 5", "scc.module"),
        ('  country: "DE"', '  country: "DDR"', '"DDR"', "controller.country"),
    ],
)
def test_broken_policy_names_file_line_and_reason(tmp_path, old, new, needle, reason) -> None:
    path = broken_copy(tmp_path, EXAMPLES / "woocommerce-shop.policy.yaml", old, new)
    with pytest.raises(RuleDataError) as err:
        load_policy(path)
    assert reason in str(err.value)
    assert f"{path}:{line_of(path, needle)}:" in str(err.value)


def test_invalid_yaml_syntax_names_the_line(tmp_path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("version: 1\ncontroller:\n  name: [unclosed\n  contact: x\n")
    with pytest.raises(RuleDataError, match=r"p\.yaml:\d+: not valid YAML"):
        load_model(path, Policy)


def test_a_list_at_the_top_is_refused(tmp_path) -> None:
    path = tmp_path / "j.yaml"
    path.write_text("- 1\n- 2\n")
    with pytest.raises(RuleDataError, match="expected a mapping at the top level, found list"):
        load_model(path, Jurisdictions)


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(RuleDataError, match="nope.yaml: cannot read"):
        load_policy(tmp_path / "nope.yaml")
