"""Cross-checks a valid policy cannot make on its own: names that must exist elsewhere.

- provider ids (``vendors[].provider``, ``activities[].recipients``) must be in the registry;
- feature names a custom rule tests (``app.feature = x``, ``app.feature in (...)`` or a list)
  must be declared by some activity's ``match.features``;
- category keys a custom rule tests must be fideslang keys (or prefixes of them).

Each problem names the file, the line and the nearest valid name.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from rules.errors import Problem, RuleDataError
from rules.policy import Policy
from rules.registry import Registry
from rules.taxonomy import category_names, known_category, nearest
from rules.yamlio import compose, problem

_FEATURE_TEST = re.compile(r"app\.feature\s*(?:!=|=|\bin\b)\s*(\([^)]*\)|[\w.-]+)")
_CATEGORY_TEST = re.compile(r"data\.categories\s+(?:pmatch|contains|intersects)\s+(\([^)]*\)|[\w.-]+)")


def lint_policy(path: Path, policy: Policy, registry: Registry) -> None:
    """Raise :class:`RuleDataError` naming every unknown provider id and rule-file typo."""
    root, _ = compose(path.read_text(encoding="utf-8"), path)
    problems = []
    for i, vendor in enumerate(policy.vendors):
        problems += _provider(root, ("vendors", i, "provider"), vendor.provider, registry)
    for i, activity in enumerate(policy.activities):
        for j, recipient in enumerate(activity.recipients):
            problems += _provider(root, ("activities", i, "recipients", j), recipient, registry)
    if problems:
        raise RuleDataError(path, problems)
    declared = {f for a in policy.activities for f in a.match.features}
    for rules_path in policy.custom_rules:
        lint_rules(Path(rules_path), declared)


def lint_rules(path: Path, features: set[str] | None = None) -> None:
    """Raise :class:`RuleDataError` for unknown category keys (and undeclared features, when given)."""
    text = path.read_text(encoding="utf-8")
    root, data = compose(text, path)
    if not isinstance(data, list):
        return
    lists = {item["list"]: tuple(map(str, item.get("items") or ())) for item in data
             if isinstance(item, dict) and "list" in item}
    problems = []
    for i, item in enumerate(data):
        condition = item.get("condition") if isinstance(item, dict) else None
        if not isinstance(condition, str):
            continue
        where = (i, "condition")
        if features is not None:
            for name in _values(_FEATURE_TEST, condition, lists):
                if name not in features:
                    problems.append(_problem(root, where, f"feature {name!r} is not declared by any activity's "
                                                          "match.features", nearest(name, features)))
        for key in _values(_CATEGORY_TEST, condition, lists):
            if not _category_or_prefix(key):
                problems.append(_problem(root, where, f"{key!r} is not a fideslang data category",
                                         nearest(key, category_names())))
    if problems:
        raise RuleDataError(path, problems)


def _values(pattern: re.Pattern[str], condition: str, lists: dict[str, tuple[str, ...]]) -> list[str]:
    found = []
    for m in pattern.finditer(condition):
        value = m.group(1)
        if value.startswith("("):
            found += [v.strip().strip("'\"") for v in value[1:-1].split(",") if v.strip()]
        else:
            found += list(lists.get(value, (value.strip("'\""),)))
    return found


def _category_or_prefix(key: str) -> bool:
    return known_category(key) or any(k.startswith(key + ".") for k in category_names())


def _provider(root: yaml.Node | None, loc: tuple, provider: str, registry: Registry) -> list[Problem]:
    if provider in registry.by_id:
        return []
    return [_problem(root, loc, f"unknown provider id {provider!r}", nearest(provider, registry.by_id))]


def _problem(root: yaml.Node | None, loc: tuple, message: str, hint: str | None) -> Problem:
    text = message + (f"; did you mean {hint!r}?" if hint else "")
    return problem(root, {"loc": loc, "msg": text})
