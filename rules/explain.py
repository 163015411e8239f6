"""The decision path for one event, in words, for ``douane rules explain``."""

from __future__ import annotations

import textwrap

from douane.contract import AICallEvent, ScanState
from rules.engine import Engine
from rules.taxonomy import display_name


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
        f"  Recipient: {_recipient(engine, resolution)}",
        f"Activity: {activity.name} ({activity.legal_basis.value})" if activity else "Activity: none recorded",
        f"Personal data: {_data(event)}",
        *_judged_on(event, decided, activity),
        *_readings(engine, activity, event),
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


def _recipient(engine: Engine, resolution) -> str:
    entity = resolution.entity
    if entity is None:
        return "the controller itself" if resolution.sovereign is not None else "unknown"
    vendor = engine.policy.vendors_by_provider.get(resolution.provider.id) if resolution.provider else None
    if vendor is not None and vendor.contracting_entity is not None:
        how = "named by the organisation's contract (vendor register)"
    elif entity.confirmed:
        how = "per the registry, confirmed by its source"
    else:
        how = "ASSUMED by the registry, not confirmed by any source"
    return f"{entity.name} ({entity.country}), {how}"


def _data(event: AICallEvent) -> str:
    data = event.personal_data
    seen = "" if data.scan is ScanState.COMPLETE else f" (content {data.scan.value.replace('_', ' ')})"
    if not data.categories:
        return "none detected" + seen + ("; special category flagged" if data.special_category else "")
    parts = ", ".join(f"{display_name(c.category)} [{c.category}] x{c.count}" for c in data.categories)
    return parts + seen + ("; special category (Art. 9)" if data.special_category else "")


def _judged_on(event: AICallEvent, decided, activity) -> list[str]:
    if event.personal_data.scan is ScanState.COMPLETE:
        return []
    declared = ", ".join(sorted(activity.categories)) if activity and activity.categories else "none declared"
    return [f"  Judged on: detected plus the activity's declared categories ({declared})"]


def _readings(engine: Engine, activity, event: AICallEvent) -> list[str]:
    if activity is None or not activity.derogations:
        return []
    reading = engine.policy.readings.derogations_systematic
    words = ("EDPB Guidelines 2/2018: (b), (c), (e) for occasional transfers only" if reading == "edpb"
             else "the article's wording: no 'occasional' condition on (b), (c), (e)")
    consent = "present" if event.consent_ref else "absent"
    use = engine.policy.readings.occasional_use
    return [f"Derogations relied on: {', '.join(d.value for d in activity.derogations)}; transfers "
            f"{activity.transfer_frequency}; reading applied: {words}; consent reference {consent}",
            f"  Occasional means at most {use.max_calls} calls to one destination within {use.window_days} days; "
            "the stream counts them (this explanation does not)"]
