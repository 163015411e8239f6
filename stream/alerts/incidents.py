"""Incidents: one per (tenant, rule, provider, destination), not one per request.

State is a plain JSON-able dict, so a Faust table can hold it and its changelog can
restore it. Every change bumps ``version``; a Slack message is due while
``delivered_version`` lags behind it, so nothing is considered sent until Slack said so.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from douane.contract import Finding, Severity, Verdict

CLOCKS = (("early_warning", "Early warning (NIS2 Art. 23(4)(a))"),
          ("notification", "Incident notification (NIS2 Art. 23(4)(b))"),
          ("final_report", "Final report (NIS2 Art. 23(4)(d))"))


def incident_id(tenant: str, rule_id: str, provider: str | None, destinations: tuple[str, ...] | list[str]) -> str:
    """The key an incident is tracked under."""
    return f"{tenant}|{rule_id}|{provider or 'unknown'}|{','.join(destinations) or '-'}"


def record_finding(state: dict | None, verdict: Verdict, finding: Finding, at: datetime) -> dict:
    """Open an incident for ``finding`` or count it into the open one."""
    if state is None:
        state = _new(incident_id(verdict.tenant, finding.rule_id, verdict.provider, verdict.destinations),
                     "gdpr", verdict.tenant, finding.rule_id, finding.title, finding.severity, at)
        state.update(provider=verdict.provider or "unknown", destination=",".join(verdict.destinations) or "-",
                     articles=list(finding.articles), explanation=finding.explanation,
                     remediation=finding.remediation)
    state = dict(state)
    state["count"] += 1
    state["last_seen"] = max(state["last_seen"], at.isoformat())
    state["last_event"] = str(verdict.event_id)
    if Severity(finding.severity).rank > Severity(state["severity"]).rank:
        state["severity"] = finding.severity.value
    return _bump(state)


def open_nis2(tenant: str, provider: str, signal: str, count: int, window_minutes: int, at: datetime,
              final_report_days: int = 30) -> dict:
    """A NIS2 incident for a provider's failures, with the Art. 23 clocks running from ``at``."""
    state = _new(incident_id(tenant, f"nis2.provider-{signal}", provider, ()), "nis2", tenant,
                 f"nis2.provider-{signal}", f"AI provider {provider}: {count} {signal}s in {window_minutes} min",
                 Severity.HIGH, at)
    notification = at + timedelta(hours=72)
    state.update(
        provider=provider, destination="-", count=count, last_seen=at.isoformat(),
        articles=["NIS2 Art. 23(4)", "NIS2 Art. 21(2)(c)"],
        explanation=(f"{count} {signal}s from {provider} within {window_minutes} minutes crossed the policy's "
                     "threshold. If the outage is significant (Art. 23(3)), the Art. 23 reports are due."),
        remediation=("Confirm traffic fails over to the sovereign model, assess significance, and send the early "
                     "warning to the CSIRT within 24 h of awareness."),
        clocks={"early_warning": (at + timedelta(hours=24)).isoformat(), "notification": notification.isoformat(),
                "final_report": (notification + timedelta(days=final_report_days)).isoformat()},
        reminded=[],
    )
    return _bump(state)


def record_signal(state: dict, at: datetime) -> dict:
    """One more failure counted into an open NIS2 incident."""
    state = dict(state, count=state["count"] + 1, last_seen=max(state["last_seen"], at.isoformat()))
    return _bump(state)


def delivered(state: dict, version: int, channel: str, ts: str) -> dict:
    """Slack accepted the message of ``version``."""
    state = dict(state, channel=channel, ts=ts)
    state["delivered_version"] = max(state["delivered_version"], version)
    return state


def acknowledged(state: dict, by: str, at: datetime) -> dict:
    """A compliance officer took the incident; the message shows it."""
    if state["status"] == "acknowledged":
        return state
    return _bump(dict(state, status="acknowledged", ack_by=by, ack_at=at.isoformat()))


def reminded(state: dict, clock: str) -> dict:
    """The reminder for one Art. 23 clock went out."""
    return dict(state, reminded=sorted({*state.get("reminded", []), clock}))


def needs_delivery(state: dict) -> bool:
    """Slack has not yet seen the latest version."""
    return state["delivered_version"] < state["version"]


def due_reminders(state: dict, now: datetime, lead: timedelta) -> list[str]:
    """Art. 23 clocks within ``lead`` of their deadline whose reminder has not gone out."""
    if state.get("kind") != "nis2":
        return []
    clocks = state.get("clocks") or {}
    done = set(state.get("reminded", []))
    return [name for name, _ in CLOCKS
            if name in clocks and name not in done and now >= datetime.fromisoformat(clocks[name]) - lead]


def _new(ident: str, kind: str, tenant: str, rule_id: str, title: str, severity: Severity, at: datetime) -> dict:
    return {"id": ident, "kind": kind, "tenant": tenant, "rule_id": rule_id, "title": title,
            "severity": Severity(severity).value, "count": 0, "first_seen": at.isoformat(),
            "last_seen": at.isoformat(), "status": "open", "ack_by": None, "ack_at": None, "version": 0,
            "delivered_version": 0, "channel": None, "ts": None, "in_digest": False}


def _bump(state: dict) -> dict:
    state["version"] += 1
    return state
