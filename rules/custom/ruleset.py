"""Custom rule files in Falco's shape: lists, macros and rules with exceptions.

A file is a YAML list. Keys of a rule come in a fixed order (rule, desc, condition,
output, priority, tags, articles, remediation, exceptions, enabled) so files read alike.
Lists and macros must be defined before they are used. Changing a rule? Bump the
file's ``version`` item (``- version: ...``) so verdicts can say which rules decided.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from douane.contract import Finding
from rules.custom.fields import FIELDS, OUTPUT_FIELDS, Subject, event_reader
from rules.custom.items import KINDS, RULE_KEYS, ListItem, MacroItem, RuleException, RuleItem, VersionItem
from rules.custom.language import Compiled, Predicate, compare, compile_condition
from rules.errors import ConditionError, Problem, RuleDataError
from rules.taxonomy import nearest
from rules.wording import Wording
from rules.yamlio import compose, problem

_PLACEHOLDER = re.compile(r"%([a-z_]+(?:\.[a-z_]+)*)")  # % and a letter name a field; "100%" stays text
_MEMO_LIMIT = 65_536


@dataclass
class CompiledRule:
    """A rule ready to run: predicate, exception predicate, output renderer, and the fields it reads."""

    item: RuleItem
    fires: Predicate
    excepted: Predicate
    render: Callable[[Subject], str]
    fields: frozenset[str]

    def __post_init__(self) -> None:
        self.shown = tuple(OUTPUT_FIELDS[name].get for name in dict.fromkeys(_PLACEHOLDER.findall(self.item.output)))
        self._findings: dict[tuple, Finding] = {}

    def applies(self, subject: Subject) -> bool:
        """Fires and is not excepted."""
        return self.fires(subject) and not self.excepted(subject)

    def report(self, subject: Subject) -> Finding:
        """The finding, for a subject the rule applies to (memoised on the values its output line reads)."""
        values = (subject.words, *[get(subject) for get in self.shown])
        found = self._findings.get(values)
        if found is None:
            if len(self._findings) >= _MEMO_LIMIT:
                self._findings.clear()
            item = self.item
            explanation = self.render(subject)[:4000]
            found = self._findings[values] = Finding(
                rule_id=f"custom.{item.rule}", title=item.desc[:200], articles=item.articles,
                severity=item.priority, explanation=explanation, remediation=item.remediation)
        return found


class RuleSet:
    """Compiled custom rules from one or more files, evaluated in file order.

    The engine memoises whole verdicts on its decision key plus the event fields these rules
    read (:attr:`reads`), so :meth:`findings` runs once per distinct key, not once per call.
    """

    def __init__(self, rules: list[CompiledRule], versions: list[str]) -> None:
        self.rules = rules
        self.versions = versions
        self.reads = event_reader(name for rule in rules for name in rule.fields)

    def findings(self, event, decided, words: Wording | None = None) -> tuple[Finding, ...]:
        """Findings of every enabled rule that fires and is not excepted, in file order.

        ``words`` names providers and places in output lines (the shipped data's when None).
        """
        subject = Subject(event, decided, words)
        return tuple([rule.report(subject) for rule in self.rules if rule.applies(subject)])


def load_rulesets(paths) -> RuleSet:
    """Load and compile rule files in order; later files may use earlier lists and macros."""
    rules: list[CompiledRule] = []
    versions: list[str] = []
    scope = _Scope()
    for path in paths:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise RuleDataError(path, [Problem(None, "", f"cannot read: {exc.strerror or exc}")]) from None
        file_rules, version = _compile_file(text, path, scope)
        rules.extend(file_rules)
        if version:
            versions.append(version)
    return RuleSet(rules, versions)


def parse_ruleset(text: str, path: str = "<string>") -> RuleSet:
    """Compile rules from YAML text (tests, ``douane rules validate``)."""
    rules, version = _compile_file(text, Path(path), _Scope())
    return RuleSet(rules, [version] if version else [])


class _Scope:
    """Lists and macros defined so far."""

    def __init__(self) -> None:
        self.lists: dict[str, tuple] = {}
        self.macros: dict[str, Compiled] = {}


def _compile_file(text: str, path: Path, scope: _Scope) -> tuple[list[CompiledRule], str | None]:
    root, data = compose(text, path)
    if data is None:
        return [], None
    if not isinstance(data, list):
        raise RuleDataError(path, [Problem(1, "", "a rules file is a YAML list of list/macro/rule items")])
    problems: list[Problem] = []
    rules: list[CompiledRule] = []
    version = None
    for index, raw in enumerate(data):
        node = root.value[index]
        try:
            item = _validate_item(raw, index, node, problems)
            if item is None:
                continue
            if isinstance(item, VersionItem):
                version = item.version
            elif isinstance(item, ListItem):
                scope.lists[item.list] = _expand(item.items, scope.lists)
            elif isinstance(item, MacroItem):
                scope.macros[item.macro] = compile_condition(item.condition, scope.macros, scope.lists)
            elif item.enabled:
                rules.append(_compile_rule(item, scope))
        except OutputError as exc:
            problems.append(Problem(_line_of(node, "output"), f"[{index}].output", str(exc)))
        except ConditionError as exc:
            problems.append(Problem(_line_of(node, "condition"), f"[{index}]", f"condition: {exc}"))
    if problems:
        raise RuleDataError(path, problems)
    return rules, version


def _validate_item(raw: Any, index: int, node: yaml.Node, problems: list[Problem]):
    kinds = [k for k in KINDS if isinstance(raw, dict) and k in raw]
    if len(kinds) != 1:
        problems.append(Problem(node.start_mark.line + 1, f"[{index}]",
                                "each item has exactly one of: list, macro, rule, version"))
        return None
    if kinds[0] == "rule":
        order = [k for k in raw if k in RULE_KEYS]
        if order != sorted(order, key=RULE_KEYS.index):
            problems.append(Problem(node.start_mark.line + 1, f"[{index}]",
                                    f"keys out of order: write them as {', '.join(RULE_KEYS)}"))
            return None
    try:
        return KINDS[kinds[0]].model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            found = problem(node, {"loc": err["loc"], "msg": err["msg"]})
            problems.append(Problem(found.line, f"[{index}].{found.where}", found.message))
        return None


def _compile_rule(item: RuleItem, scope: _Scope) -> CompiledRule:
    fires = compile_condition(item.condition, scope.macros, scope.lists)
    excepted = _compile_exceptions(item.exceptions, scope)
    render = _renderer(item)
    shown = {OUTPUT_FIELDS[name].source for name in _PLACEHOLDER.findall(item.output)}
    fields = fires.fields | {f for e in item.exceptions for f in e.fields} | shown
    return CompiledRule(item, fires.test, excepted, render, frozenset(fields))


def _compile_exceptions(exceptions: tuple[RuleException, ...], scope: _Scope) -> Predicate:
    rows: list[Predicate] = []
    for exc in exceptions:
        comps = exc.comps or ("=",) * len(exc.fields)
        if len(comps) != len(exc.fields):
            raise ConditionError(f"exception {exc.name}: {len(exc.fields)} fields but {len(comps)} comps")
        for values in exc.values:
            if len(values) != len(exc.fields):
                raise ConditionError(f"exception {exc.name}: a row has {len(values)} values for {len(exc.fields)} fields")
            rows.append(_exception_row(exc, comps, values, scope))
    if not rows:
        return lambda s: False
    return lambda s, rs=tuple(rows): any(r(s) for r in rs)


def _exception_row(exc: RuleException, comps: tuple, values: tuple, scope: _Scope) -> Predicate:
    tests = []
    for field, comp, value in zip(exc.fields, comps, values):
        if field not in FIELDS:
            raise ConditionError(f"exception {exc.name}: unknown field {field!r}")
        if comp in ("in", "intersects", "pmatch"):
            value = frozenset(scope.lists.get(value, value) if isinstance(value, str) else value)
        tests.append(compare(field, FIELDS[field], comp, value, 0))
    return lambda s, ts=tuple(tests): all(t(s) for t in ts)


class OutputError(ValueError):
    """A rule's output line names a field no output can show."""


def _renderer(item: RuleItem) -> Callable[[Subject], str]:
    output = item.output
    names = _PLACEHOLDER.findall(output)
    for name in names:
        if name not in OUTPUT_FIELDS:
            raise OutputError(_unknown_output_field(item.rule, name))
    if not names:
        return lambda s: output

    def render(subject: Subject) -> str:
        return _PLACEHOLDER.sub(lambda m: OUTPUT_FIELDS[m.group(1)](subject), output)

    return render


def _unknown_output_field(rule: str, name: str) -> str:
    hint = nearest(name, OUTPUT_FIELDS)
    guess = f" (did you mean %{hint}?)" if hint else ""
    return f"rule {rule}: output uses unknown field %{name}{guess}; an output may use %{', %'.join(OUTPUT_FIELDS)}"


def _expand(items: tuple, lists: dict[str, tuple]) -> tuple:
    out: list = []
    for item in items:
        out.extend(lists[item] if isinstance(item, str) and item in lists else (item,))
    return tuple(out)


def _line_of(node: yaml.Node, key: str) -> int:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if k.value == key:
                return v.start_mark.line + 1
    return node.start_mark.line + 1
