"""Validate any of Douane's rule data files, telling which kind it is from its content."""

from __future__ import annotations

from pathlib import Path

import yaml

from rules.errors import RuleDataError


def validate_file(path: Path) -> tuple[str, str | None]:
    """(kind, None) when ``path`` is valid, else (kind, problems naming file and line)."""
    kind = detect_kind(path)
    loader = _LOADERS.get(kind)
    if loader is None:
        return kind, (f"{path}: not a Douane rules file (expected a policy, registry, jurisdictions, "
                      "findings or custom rules file)")
    try:
        loader(path)
    except RuleDataError as exc:
        return kind, str(exc)
    return kind, None


def detect_kind(path: Path) -> str:
    """policy | registry | jurisdictions | findings | taxonomy | custom-rules | unknown."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return "unknown"
    if isinstance(data, list):
        return "custom-rules"
    if not isinstance(data, dict):
        return "unknown"
    for key, kind in (("controller", "policy"), ("providers", "registry"), ("adequacy", "jurisdictions"),
                      ("findings", "findings"), ("data_categories", "taxonomy")):
        if key in data:
            return kind
    return "unknown"


def _load_policy_and_rules(path: Path) -> None:
    from rules.custom import load_rulesets
    from rules.lint import lint_policy
    from rules.policy import load_policy
    from rules.registry import load_registry

    policy = load_policy(path)
    load_rulesets(policy.custom_rules)
    lint_policy(path, policy, load_registry())


def _load_rules(path: Path) -> None:
    from rules.custom import load_rulesets
    from rules.lint import lint_rules

    load_rulesets([path])
    lint_rules(path)


def _loaders() -> dict:
    from rules.catalogue import load_catalogue
    from rules.jurisdictions import load_jurisdictions
    from rules.registry import load_registry
    from rules.taxonomy import load_snapshot

    return {
        "policy": _load_policy_and_rules,
        "registry": load_registry,
        "jurisdictions": load_jurisdictions,
        "findings": load_catalogue,
        "taxonomy": load_snapshot,
        "custom-rules": _load_rules,
    }


_LOADERS = _loaders()
