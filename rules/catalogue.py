"""The built-in findings (``data/findings.yaml``) and how they are rendered for one case."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from douane.contract import Finding, Severity
from rules.types import NonEmpty, Slug, Strict
from rules.yamlio import load_model

DATA = Path(__file__).parent / "data"
_RENDERED_LIMIT = 65_536


class FindingTemplate(Strict):
    """A finding's fixed parts and the templates of its prose."""

    id: Slug
    title: NonEmpty
    articles: tuple[NonEmpty, ...]
    severity: Severity
    explanation: NonEmpty
    remediation: NonEmpty


class Catalogue(Strict):
    """Every built-in finding, by id."""

    version: NonEmpty
    findings: tuple[FindingTemplate, ...]

    @cached_property
    def by_id(self) -> dict[str, FindingTemplate]:
        """Template per rule id."""
        return {f.id: f for f in self.findings}

    @cached_property
    def _rendered(self) -> dict[tuple, Finding]:
        return {}

    def render(self, rule_id: str, context: dict[str, object], *, raise_severity: bool = False) -> Finding:
        """The finding ``rule_id`` with its placeholders filled from ``context``.

        Memoised on the filled text: a decision never seen mostly repeats findings already
        validated (the same route on another day, say), and validating one costs more than filling it.
        """
        template = self.by_id[rule_id]
        severity = bump(template.severity) if raise_severity else template.severity
        explanation = template.explanation.format_map(context)
        remediation = template.remediation.format_map(context)
        key = (rule_id, severity, explanation, remediation)
        found = self._rendered.get(key)
        if found is None:
            if len(self._rendered) >= _RENDERED_LIMIT:
                self._rendered.clear()
            found = self._rendered[key] = Finding(rule_id=template.id, title=template.title,
                                                  articles=template.articles, severity=severity,
                                                  explanation=explanation, remediation=remediation)
        return found


def bump(severity: Severity) -> Severity:
    """One level more severe; informational findings stay informational, critical stays critical."""
    if severity is Severity.INFO:
        return severity
    order = list(Severity)
    return order[min(order.index(severity) + 1, len(order) - 1)]


def load_catalogue(path: Path | str = DATA / "findings.yaml") -> Catalogue:
    """Load the built-in finding catalogue."""
    return load_model(path, Catalogue)
