"""The built-in findings (``data/findings.yaml``) and how they are rendered for one case."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from douane.contract import Finding, Severity
from rules.types import NonEmpty, Slug, Strict
from rules.yamlio import load_model

DATA = Path(__file__).parent / "data"


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

    def render(self, rule_id: str, context: dict[str, object], *, raise_severity: bool = False) -> Finding:
        """The finding ``rule_id`` with its placeholders filled from ``context``."""
        template = self.by_id[rule_id]
        severity = bump(template.severity) if raise_severity else template.severity
        return Finding(
            rule_id=template.id,
            title=template.title,
            articles=template.articles,
            severity=severity,
            explanation=template.explanation.format_map(context),
            remediation=template.remediation.format_map(context),
        )


def bump(severity: Severity) -> Severity:
    """One level more severe; informational findings stay informational, critical stays critical."""
    if severity is Severity.INFO:
        return severity
    order = list(Severity)
    return order[min(order.index(severity) + 1, len(order) - 1)]


def load_catalogue(path: Path | str = DATA / "findings.yaml") -> Catalogue:
    """Load the built-in finding catalogue."""
    return load_model(path, Catalogue)
