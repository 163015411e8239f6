"""Render a :class:`ReplayReport`: a terminal table, JSON, standalone HTML, or PDF (WeasyPrint)."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from stream.replay.report import ReplayReport

FORMATS = ("table", "json", "html", "pdf")
TEMPLATES = Path(__file__).parent / "templates"


def render(report: ReplayReport, fmt: str) -> str | bytes:
    """The report in ``fmt`` (bytes for pdf)."""
    if fmt == "json":
        return report.to_json() + "\n"
    if fmt == "html":
        return html(report)
    if fmt == "pdf":
        from reports.render import to_pdf

        return to_pdf(html(report))
    return "\n".join(table(report)) + "\n"


def html(report: ReplayReport) -> str:
    """A standalone HTML document."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    return env.get_template("replay.html.j2").render(r=report)


def table(report: ReplayReport) -> list[str]:
    """Plain-text lines for a terminal: summary, diff, actions, incidents, timeline."""
    return [*summary(report), "", *diff_lines(report), "", *action_lines(report), "", *incident_lines(report), "",
            *timeline_lines(report)]


def summary(report: ReplayReport) -> list[str]:
    """What was replayed, from where, and the headline counts."""
    t = report.totals
    lines = [f"replay {report.window_start:%Y-%m-%d %H:%M:%S} → {report.window_end:%Y-%m-%d %H:%M:%S} UTC"
             + (f", tenant {report.tenant}" if report.tenant else ""),
             f"  calls from:      {report.sources.calls}",
             f"  verdicts then:   {report.sources.verdicts_then}",
             f"  rules now:       {'; '.join(report.rules_now)}",
             f"  {t.calls} calls in the window ({t.records_read} records read); flagged then {t.flagged_then}, "
             f"flagged now {t.flagged_now}"]
    if t.not_recorded:
        lines.append(f"  {t.not_recorded} call(s) had no verdict recorded then")
    for tenant, n in sorted(t.not_governed.items()):
        lines.append(f"  {n} call(s) of {tenant} not re-evaluated: no given policy governs that tenant")
    if t.undecodable:
        lines.append(f"  {t.undecodable} undecodable record(s) skipped ('douane dlq list' shows why)")
    lines.extend(f"  note: {note}" for note in report.sources.notes)
    return lines


def diff_lines(report: ReplayReport) -> list[str]:
    """The diff per rule and the decision/basis/enforcement transitions."""
    if not report.differs:
        return ["diff: the rules given flag and decide every call as it was recorded (no change)"]
    lines = ["diff per rule (calls flagged then → now; + newly flagged, - no longer flagged):"]
    for r in report.rules:
        if r.added or r.removed:
            example = ", ".join(r.added_examples or r.removed_examples)
            lines.append(f"  {r.rule_id:<40} {r.then:5d} → {r.now:<5d} +{r.added:<5d} -{r.removed:<5d} e.g. {example}")
    if report.changes:
        lines.append("changed decisions, bases and enforcement (then → now):")
        for c in report.changes:
            lines.append(f"  {c.field:<12} {c.then:>24} → {c.now:<24} {c.calls:5d} calls, e.g. {', '.join(c.examples)}")
    return lines


def action_lines(report: ReplayReport) -> list[str]:
    """Redirected, failed-over and blocked calls."""
    if not report.actions:
        return ["redirected / failed over / blocked: none in the window"]
    lines = ["redirected / failed over / blocked:"]
    for a in report.actions:
        why = f" ({a.error_class})" if a.error_class else ""
        lines.append(f"  {a.calls:5d}  {a.action:<12} {a.tenant:<14} {a.provider:<14}{why}  e.g. {a.examples[0]}")
    return lines


def incident_lines(report: ReplayReport) -> list[str]:
    """Incidents (and their alerts) whose life overlaps the window."""
    if not report.incidents:
        return ["incidents: none overlapping the window"]
    lines = ["incidents overlapping the window:"]
    for i in report.incidents:
        alert = f", alert in {i.channel}" if i.channel else ""
        lines.append(f"  {i.severity:<8} {i.kind:<5} {i.tenant:<14} {i.rule_id:<32} {i.provider:<14} "
                     f"{i.count:5d} calls, opened {i.opened_at[:19]}{alert}")
    return lines


def timeline_lines(report: ReplayReport) -> list[str]:
    """One line per minute of event time."""
    lines = ["timeline (event time)      calls  flagged then  flagged now  redirected  failed over  blocked"]
    for m in report.timeline:
        lines.append(f"  {m.minute:<23} {m.calls:6d} {m.flagged_then:13d} {m.flagged_now:12d} {m.redirected:11d} "
                     f"{m.failed_over:12d} {m.blocked:8d}")
    return lines
