"""The decision path for one event, in words, for ``douane rules explain``."""

from __future__ import annotations

import textwrap

from douane.contract import AICallEvent
from rules.engine import Engine


def explain(engine: Engine, event: AICallEvent) -> str:
    """A human-readable account of how ``engine`` decides ``event``."""
    verdict = engine.evaluate(event)
    decided = engine.decide(event)
    resolution = engine.resolver.resolve(event.destination)
    activity = engine.activity(event.app.platform, event.app.feature)
    lines = [
        f"Event {event.event_id} of {event.tenant} ({event.app.platform}/{event.app.feature}) "
        f"at {event.observed_at.isoformat()}",
        f"Destination: {event.destination.host} -> {_provider(resolution)}",
        f"  {resolution.how}",
        f"Activity: {activity.name} ({activity.legal_basis.value})" if activity else "Activity: none recorded",
        f"Personal data: {_data(event)}",
        "",
        "Decision path:",
        *(f"  {i}. {step}" for i, step in enumerate(decided.trace, 1)),
        "",
        f"Verdict: {verdict.decision.value} on basis {verdict.basis.value}; severity {verdict.severity.value}; "
        f"enforcement {verdict.enforcement.value}  [rules {verdict.rules_version}]",
        "Findings:" if verdict.findings else "Findings: none",
    ]
    for f in verdict.findings:
        lines.append(f"  [{f.severity.value}] {f.rule_id}: {f.title} ({'; '.join(f.articles)})")
        lines.extend(textwrap.wrap(f.explanation, 96, initial_indent="      ", subsequent_indent="      "))
        lines.extend(textwrap.wrap("What to do: " + f.remediation, 96, initial_indent="      ",
                                   subsequent_indent="      "))
    return "\n".join(lines)


def _provider(resolution) -> str:
    if resolution.provider is None:
        return "not in the registry"
    entity = resolution.entity
    seat = f"{entity.name}, {entity.country}" if entity else "run in-house"
    return f"{resolution.provider.name} ({seat})"


def _data(event: AICallEvent) -> str:
    data = event.personal_data
    if not data.categories:
        return "none detected" + ("; special category flagged" if data.special_category else "")
    parts = ", ".join(f"{c.category} x{c.count}" for c in data.categories)
    return parts + ("; special category (Art. 9)" if data.special_category else "")
