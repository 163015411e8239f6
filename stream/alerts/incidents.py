"""Incidents: one per (tenant, rule, provider, destination), not one per request.

State is a plain JSON-able dict, so a Faust table can hold it and its changelog can
restore it. Every change bumps ``version``; a Slack message is due while
``delivered_version`` lags behind it, so nothing is considered sent until Slack said so.

Life cycle: open → acknowledged → resolved (by an officer, or automatically after a quiet
period) → reopened when the problem recurs, with a new message that links the old one.
Every step is appended to ``transitions`` (what, when, who, from where) as evidence.

Counting is idempotent per record: ``counted_up_to`` holds the partition and offset of the
last record counted in (on ``douane.findings`` for a GDPR incident, on ``douane.incidents``
for a NIS2 one). Kafka delivers again what a worker had not committed when it stopped, and a
partition's offsets only grow, so a record at or below the mark was counted already. The mark
lives in the state, so the changelog record that keeps a count keeps its mark too.

A call judged again (the judge's worker was killed before it committed its batch) is published
again as a new record, which the mark does not catch; its record names the same source call
(``douane.contract.source``), so ``sources_counted`` keeps, per partition of ``douane.ai-calls``,
the highest offset of a call counted in. A tenant's calls are in one partition, judged in order,
so a call at or below that offset was counted already.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from douane.contract import Finding, Severity, Verdict

Position = tuple[int, int]
"""A record's (partition, offset) on the topic that feeds the incident."""

CLOCKS = (("early_warning", "Early warning (NIS2 Art. 23(4)(a))"),
          ("notification", "Incident notification (NIS2 Art. 23(4)(b))"),
          ("final_report", "Final report (NIS2 Art. 23(4)(d))"))


def incident_id(tenant: str, rule_id: str, provider: str | None, destinations: tuple[str, ...] | list[str]) -> str:
    """The key an incident is tracked under."""
    return f"{tenant}|{rule_id}|{provider or 'unknown'}|{','.join(destinations) or '-'}"


def counted(state: dict | None, position: Position | None, source: Position | None = None) -> bool:
    """Whether the record at ``position`` was counted into ``state`` already (Kafka delivered it again),
    or another record from the call at ``source`` on ``douane.ai-calls`` was (the call was judged again)."""
    if state is None:
        return False
    mark = state.get("counted_up_to") if position is not None else None
    if mark is not None and mark["partition"] == position[0] and position[1] <= mark["offset"]:
        return True
    highest = (state.get("sources_counted") or {}).get(str(source[0])) if source is not None else None
    return highest is not None and source[1] <= highest


def marked(state: dict, position: Position | None, source: Position | None = None) -> dict:
    """``state`` (changed in place) with the mark of the record at ``position`` and of its ``source`` call."""
    if position is not None:
        state["counted_up_to"] = {"partition": position[0], "offset": position[1]}
    if source is not None:
        sources = dict(state.get("sources_counted") or {})
        sources[str(source[0])] = max(source[1], sources.get(str(source[0]), -1))
        state["sources_counted"] = sources
    return state


def record_finding(state: dict | None, verdict: Verdict, finding: Finding, at: datetime,
                   touched: datetime | None = None, position: Position | None = None,
                   source: Position | None = None) -> dict:
    """Open an incident for ``finding``, count it into the open one, or reopen a resolved one.

    ``touched`` is when the stream counted it (wall clock): the quiet period runs from there.
    ``position`` is the finding's record on ``douane.findings``, ``source`` its call on ``douane.ai-calls``:
    the marks :func:`counted` reads.
    """
    if state is not None and state["status"] == "resolved":
        state = reopened(state, at)
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
    state["touched_at"] = (touched or at).isoformat()
    if Severity(finding.severity).rank > Severity(state["severity"]).rank:
        state["severity"] = finding.severity.value
    return _bump(marked(state, position, source))


OUTAGE_RULE = "nis2.provider-outage"


def open_nis2(tenant: str, provider: str, signals: dict[str, int], window_minutes: int, at: datetime,
              final_report_days: int = 30, provider_name: str | None = None, position: Position | None = None,
              source: Position | None = None) -> dict:
    """A NIS2 incident for a provider's outage, with the Art. 23 clocks running from ``at``.

    One incident per tenant and provider: the lockouts of an outage and the failovers they
    cause are one event to report, counted by kind in ``signals`` (failed calls per kind in
    the window); ``count`` is the number of failed calls.
    """
    named = provider_name or provider
    count = max(signals.values())
    state = _new(incident_id(tenant, OUTAGE_RULE, provider, ()), "nis2", tenant, OUTAGE_RULE,
                 _outage_title(named, signals), Severity.HIGH, at)
    notification = at + timedelta(hours=72)
    state.update(
        provider=provider, provider_label=named, destination="-", count=count, signals=dict(signals),
        last_seen=at.isoformat(), articles=["NIS2 Art. 23(4)", "NIS2 Art. 21(2)(c)"],
        explanation=(f"{_listed(signals)} from {named} within {window_minutes} minutes crossed the "
                     "policy's threshold. If the outage is significant (Art. 23(3)), the Art. 23 reports are due."),
        remediation=("Confirm traffic fails over to the sovereign model, assess significance, and send the early "
                     "warning to the CSIRT within 24 h of awareness."),
        clocks={"early_warning": (at + timedelta(hours=24)).isoformat(), "notification": notification.isoformat(),
                "final_report": (notification + timedelta(days=final_report_days)).isoformat()},
        reminded=[],
    )
    return _bump(marked(state, position, source))


def record_signal(state: dict, at: datetime, touched: datetime | None = None, kinds: tuple[str, ...] = (),
                  position: Position | None = None, source: Position | None = None) -> dict:
    """One more failed call (a lockout, an error, a failover or several) counted in; a resolved incident reopens.

    ``position`` is the signal's record on ``douane.incidents``, ``source`` its call on ``douane.ai-calls``:
    the marks :func:`counted` reads.
    """
    if state["status"] == "resolved":
        state = reopened(state, at)
    signals = dict(state.get("signals") or {})
    for kind in kinds:
        signals[kind] = signals.get(kind, 0) + 1
    state = dict(state, count=state["count"] + 1, last_seen=max(state["last_seen"], at.isoformat()),
                 touched_at=(touched or at).isoformat(), signals=signals)
    if signals and state.get("provider_label"):
        state["title"] = _outage_title(state["provider_label"], signals)
    return _bump(marked(state, position, source))


def _outage_title(named: str, signals: dict[str, int]) -> str:
    return f"{named} outage: {_listed(signals)}"


def _listed(signals: dict[str, int]) -> str:
    kinds = [kind for kind in ("lockout", "error", "failover") if signals.get(kind)]
    return ", ".join(_counted(signals[kind], kind) for kind in kinds)


def _counted(n: int, kind: str) -> str:
    return f"{n} {kind}" + ("" if n == 1 else "s")


def delivered(state: dict, version: int, channel: str, ts: str) -> dict:
    """Slack accepted the message of ``version``."""
    state = dict(state, channel=channel, ts=ts)
    state["delivered_version"] = max(state["delivered_version"], version)
    return state


def acknowledged(state: dict, by: str, at: datetime, by_id: str | None = None) -> dict:
    """A compliance officer took the incident; the message shows it. Only an open or reopened one."""
    if state["status"] not in ("open", "reopened"):
        return state
    state = _moved(state, "acknowledged", at, by, by_id, "slack")
    return _bump(dict(state, ack_by=by, ack_at=at.isoformat()))


def resolved(state: dict, at: datetime, by: str | None = None, by_id: str | None = None) -> dict:
    """The incident is over: resolved by an officer (``by``) or automatically (no ``by``)."""
    if state["status"] == "resolved":
        return state
    state = _moved(state, "resolved", at, by, by_id, "slack" if by else "auto")
    return _bump(dict(state, resolved_by=by, resolved_at=at.isoformat()))


def reopened(state: dict, at: datetime) -> dict:
    """The problem of a resolved incident came back: a fresh message, linking the one that was resolved."""
    previous = {"channel": state.get("channel"), "ts": state.get("ts"), "resolved_at": state.get("resolved_at"),
                "resolved_by": state.get("resolved_by"), "count": state["count"]}
    state = _moved(state, "reopened", at, None, None, "recurrence")
    return dict(state, previous=previous, channel=None, ts=None, in_digest=False, ack_by=None, ack_at=None,
                resolved_by=None, resolved_at=None, count=0, reopened_at=at.isoformat())


def quiet(state: dict, now: datetime, period: timedelta | None) -> bool:
    """Open long enough without a new occurrence to resolve itself (never a NIS2 incident: a person decides)."""
    if period is None or state["status"] == "resolved" or state.get("kind") == "nis2":
        return False
    return now - datetime.fromisoformat(state.get("touched_at") or state["last_seen"]) >= period


def reminded(state: dict, clock: str) -> dict:
    """The reminder for one Art. 23 clock went out."""
    return dict(state, reminded=sorted({*state.get("reminded", []), clock}))


def needs_delivery(state: dict) -> bool:
    """Slack has not yet seen the latest version."""
    return state["delivered_version"] < state["version"]


def due_reminders(state: dict, now: datetime, lead: timedelta) -> list[str]:
    """Art. 23 clocks within ``lead`` of their deadline whose reminder has not gone out."""
    if state.get("kind") != "nis2" or state["status"] == "resolved":
        return []
    clocks = state.get("clocks") or {}
    done = set(state.get("reminded", []))
    return [name for name, _ in CLOCKS
            if name in clocks and name not in done and now >= datetime.fromisoformat(clocks[name]) - lead]


def _new(ident: str, kind: str, tenant: str, rule_id: str, title: str, severity: Severity, at: datetime) -> dict:
    return {"id": ident, "kind": kind, "tenant": tenant, "rule_id": rule_id, "title": title,
            "severity": Severity(severity).value, "count": 0, "first_seen": at.isoformat(),
            "last_seen": at.isoformat(), "status": "open", "ack_by": None, "ack_at": None, "version": 0,
            "delivered_version": 0, "channel": None, "ts": None, "in_digest": False,
            "transitions": [_transition("open", at, None, None, "finding")]}


def _moved(state: dict, to: str, at: datetime, by: str | None, by_id: str | None, source: str) -> dict:
    status = "reopened" if to == "reopened" else to
    return dict(state, status=status,
                transitions=[*state.get("transitions", []), _transition(to, at, by, by_id, source)])


def _transition(to: str, at: datetime, by: str | None, by_id: str | None, source: str) -> dict:
    """One step of the life cycle, as the store keeps it: to what, when, who (Slack user), from where."""
    return {"to": to, "at": at.isoformat(), "by": by, "by_id": by_id, "source": source}


def _bump(state: dict) -> dict:
    state["version"] += 1
    return state
