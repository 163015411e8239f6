"""Build the NIS2 Art. 23 report drafts for one incident: early warning, notification, final report.

The incident comes from the store's ``incidents`` table (written by the stream worker); its
timeline and impact come from the calls to the same provider around it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from functools import partial

import duckdb

from reports import bins, queries
from reports import incident_facts as facts
from reports.common import party, provider_name
from reports.errors import ReportError
from reports.incident_models import Bucket, Clock, IncidentReport, TimelineEntry

CLOCKS = (("early_warning", "Early warning", "NIS2 Art. 23(4)(a), 24 h"),
          ("notification", "Incident notification", "NIS2 Art. 23(4)(b), 72 h"),
          ("final_report", "Final report", "NIS2 Art. 23(4)(d), one month after the notification"))
MARGIN = timedelta(hours=1)


def build_incident(con: duckdb.DuckDBPyConnection, incident_id: str, as_of: datetime | None = None) -> IncidentReport:
    """The drafts for ``incident_id``; clocks are judged at ``as_of``, by default at the incident's own last event
    (a draft of a past incident judged at today's date would read "overdue" whatever was done then)."""
    row = _incident(con, incident_id)
    if row["kind"] != "nis2":
        raise ReportError(f"incident {incident_id!r} is a {row['kind']} finding incident; NIS2 Art. 23 reports are "
                          "drafted for nis2 incidents (provider outages and lockouts)")
    basis = "given with --as-of" if as_of else "the incident's last event (no --as-of given)"
    as_of = as_of or row["last_seen"]
    doc = json.loads(row["document"])
    policy = queries.policy_of(con, row["tenant"])
    start = facts.episode_start(con, row, policy)
    window = (row["opened_at"] - MARGIN, max(row["last_seen"], row["opened_at"]) + MARGIN)
    unit = bins.bin_for(*window)
    buckets, countries = _impact(con, row["tenant"], row["provider"], *window, unit)
    name = provider_name(row["provider"], queries.provider_names(con))
    named = partial(_named, provider=row["provider"], name=name)
    return IncidentReport(
        incident_id=incident_id, kind=row["kind"], tenant=row["tenant"], controller=party(policy.controller),
        rule_id=row["rule_id"], title=named(doc.get("title", row["rule_id"])), provider=row["provider"],
        provider_name=name, destination=row["destination"],
        severity=row["severity"], status=row["status"], count=row["count"], first_seen=row["opened_at"],
        last_seen=row["last_seen"], acknowledged_by=row["acknowledged_by"], acknowledged_at=row["acknowledged_at"],
        explanation=named(doc.get("explanation", "")), remediation=named(doc.get("remediation", "")),
        articles=list(doc.get("articles", [])), clocks=_clocks(row, as_of), timeline=_timeline(row, doc),
        buckets=buckets, bucket_minutes=int(unit.width / bins.MINUTE), bucket_name=unit.name, calls_affected=sum(b.failures for b in buckets),
        calls_failed_over=sum(b.failed_over for b in buckets),
        subject_countries=countries,
        cross_border=len(countries) > 1 or any(c != policy.controller.country for c in countries), as_of=as_of,
        as_of_basis=basis, nis2=facts.nis2_tests(con, row, policy.controller, start),
        notification_update=facts.notification_figures(con, row, start, _notified_by(row, as_of), name),
        mitigation=facts.mitigation(con, row, window))


def _notified_by(row: dict, as_of: datetime) -> datetime:
    """When the notification's figures stand: its due time, or the report's as-of when that comes first."""
    due = row.get("notification_due")
    return min(as_of, due) if due else as_of


def _named(text: str, provider: str, name: str) -> str:
    """The stream's text with the provider's registry id replaced by its name, as people read it."""
    return re.sub(rf"(?<![\w.-]){re.escape(provider)}(?![\w.-])", name, text) if provider else text


def _incident(con: duckdb.DuckDBPyConnection, incident_id: str) -> dict:
    cursor = con.execute("SELECT * FROM incidents WHERE incident_id = ?", [incident_id])
    rows = cursor.fetchall()
    if not rows:
        recent = [r[0] for r in con.execute(
            "SELECT incident_id FROM incidents WHERE kind = 'nis2' ORDER BY opened_at DESC LIMIT 5").fetchall()]
        raise ReportError(f"no incident {incident_id!r} in the store; recent NIS2 incidents: "
                          f"{', '.join(recent) or 'none'}")
    return dict(zip([d[0] for d in cursor.description], rows[0]))


def _impact(con, tenant: str, provider: str, start: datetime, end: datetime,
            unit: bins.Bin) -> tuple[list[Bucket], list[str]]:
    minutes = int(unit.width / bins.MINUTE)
    rows = con.execute(f"""
        SELECT time_bucket(INTERVAL '{minutes} minutes', observed_at, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS bucket,
               count(*) FILTER (WHERE error_class IS NOT NULL), count(*) FILTER (WHERE action = 'failed_over')
        FROM calls WHERE tenant = ? AND provider = ? AND observed_at BETWEEN ? AND ?
        GROUP BY ALL""", [tenant, provider, start, end]).fetchall()
    seen = {b: (f, o) for b, f, o in rows}
    buckets = [Bucket(start=at, failures=seen.get(at, (0, 0))[0], failed_over=seen.get(at, (0, 0))[1])
               for at in unit.starts(start, end)]  # every bin, empty ones too: the chart shows the outage's shape
    countries = con.execute("""
        SELECT DISTINCT subject_country FROM calls WHERE tenant = ? AND provider = ? AND observed_at BETWEEN ? AND ?
        AND error_class IS NOT NULL AND subject_country IS NOT NULL ORDER BY 1""",
                            [tenant, provider, start, end]).fetchall()
    return buckets, [c for (c,) in countries]


def _clocks(row: dict, as_of: datetime) -> list[Clock]:
    clocks = []
    for key, name, article in CLOCKS:
        due = row.get(f"{key}_due")
        if due is None:
            state = "not running"
        elif as_of > due:
            state = "overdue"
        elif due - as_of <= timedelta(hours=24):
            state = "due within 24 h"
        else:
            state = "pending"
        clocks.append(Clock(name=name, article=article, due=due, state=state))
    return clocks


def _timeline(row: dict, doc: dict | None = None) -> list[TimelineEntry]:
    """The incident's life as the stream recorded it (every transition, who and from where), its last failure
    and its deadlines, in time order."""
    steps = (doc or {}).get("transitions") or []
    entries = [_step(step, row) for step in steps] or _without_transitions(row)
    entries.append(TimelineEntry(at=row["last_seen"], what=f"last failure counted ({row['count']:,} in all)"))
    for key, name, _article in CLOCKS:
        if row.get(f"{key}_due"):
            entries.append(TimelineEntry(at=row[f"{key}_due"], what=f"{name} due"))
    return sorted(entries, key=lambda e: e.at)


_STEP_WORDS = {"open": "threshold crossed; incident opened", "acknowledged": "acknowledged",
               "resolved": "resolved", "reopened": "reopened: the failures came back after it was resolved"}
_SOURCES = {"slack": "in Slack", "auto": "automatically, after the policy's quiet period",
            "recurrence": "a new message links the resolved one"}


def _step(step: dict, row: dict) -> TimelineEntry:
    """One life-cycle transition as a timeline line: what, by whom (the Slack user) and how."""
    what = _STEP_WORDS.get(step.get("to"), str(step.get("to")))
    if step.get("to") == "open":
        what += f" ({row['severity']})"
    if step.get("by"):
        what += f" by {step['by']}"
    how = _SOURCES.get(step.get("source") or "")
    if how and step.get("to") != "open":
        what += f" ({how})"
    return TimelineEntry(at=datetime.fromisoformat(step["at"]), what=what)


def _without_transitions(row: dict) -> list[TimelineEntry]:
    """An incident recorded before transitions were kept: its opening and acknowledgement only."""
    entries = [TimelineEntry(at=row["opened_at"], what=f"threshold crossed; incident opened ({row['severity']})")]
    if row["acknowledged_at"]:
        entries.append(TimelineEntry(at=row["acknowledged_at"], what=f"acknowledged by {row['acknowledged_by']}"))
    return entries
