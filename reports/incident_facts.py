"""What the calls show of a NIS2 incident, for its drafts: the episode's own start (the failures that crossed
the threshold count, not only those after the opening), the NIS2 tests on it, the figures as of the
notification, and the mitigation actually applied."""

from __future__ import annotations

from datetime import datetime, timedelta

from reports.incident_models import Nis2Tests
from reports.nis2 import Impact, applicability, competent, significance
from rules.policy import Controller, Policy

def episode_start(con, row: dict, policy: Policy) -> datetime:
    """The first failure of the provider in the threshold window that opened the incident: the failures before the
    threshold was crossed are part of the outage (the opening is when the policy's count was reached)."""
    window = timedelta(minutes=policy.nis2.window_minutes)
    first = con.execute("""
        SELECT min(observed_at) FROM calls WHERE tenant = ? AND provider = ? AND error_class IS NOT NULL
        AND observed_at BETWEEN ? AND ?""", [row["tenant"], row["provider"], row["opened_at"] - window,
                                               row["opened_at"]]).fetchall()[0][0]
    return min(first, row["opened_at"]) if first else row["opened_at"]


def nis2_tests(con, row: dict, controller: Controller, start: datetime) -> Nis2Tests:
    """Applicability and significance, on the provider's calls from the episode's first failure to its last."""
    end = max(row["last_seen"], start)
    calls, failed, failed_over, features = con.execute("""
        SELECT count(*), count(*) FILTER (WHERE error_class IS NOT NULL),
               count(*) FILTER (WHERE action = 'failed_over'),
               list_sort(list_distinct(list(feature) FILTER (WHERE error_class IS NOT NULL)))
        FROM calls WHERE tenant = ? AND provider = ? AND observed_at BETWEEN ? AND ?""",
                                                       [row["tenant"], row["provider"], start, end]).fetchall()[0]
    impact = Impact(minutes=(end - start).total_seconds() / 60, calls_in_window=calls, failed=failed,
                    failed_over=failed_over, features=tuple(features or ()))
    scope, test = applicability(controller), significance(impact)
    return Nis2Tests(in_scope=scope.in_scope, entity_type=scope.entity_type, scope_reasons=list(scope.reasons),
                     significant=test.significant, disruption=test.disruption, damage=test.damage,
                     competent=competent(controller.country), minutes=round(impact.minutes, 1),
                     calls_in_window=calls, unserved=impact.unserved, features=list(impact.features), since=start)


def notification_figures(con, row: dict, start: datetime, until: datetime, name: str) -> str:
    """The failures and failovers counted from the episode's start to ``until`` (the notification's due time, or
    the report's as-of if earlier): the notification updates the early warning, it does not repeat it."""
    lockouts, failures, failed_over, last = con.execute("""
        SELECT count(*) FILTER (WHERE error_class LIKE 'lockout%'), count(*) FILTER (WHERE error_class IS NOT NULL),
               count(*) FILTER (WHERE action = 'failed_over'), max(observed_at) FILTER (WHERE error_class IS NOT NULL)
        FROM calls WHERE tenant = ? AND provider = ? AND observed_at BETWEEN ? AND ?""",
                                                        [row["tenant"], row["provider"], start, until]).fetchall()[0]
    if not failures:
        return f"No failure of {name} recorded by {until:%Y-%m-%d %H:%M} UTC"
    parts = [_counted(lockouts, "lockout"), _counted(failures - lockouts, "other failure")]
    said = ", ".join(p for p in parts if not p.startswith("0 "))
    return (f"By {until:%Y-%m-%d %H:%M} UTC, {said} of {name} from {start:%Y-%m-%d %H:%M} to {_time(last, start)}; "
            f"{_counted(failed_over, 'call')} failed over to the sovereign model")


def mitigation(con, row: dict, window: tuple[datetime, datetime]) -> str:
    """What was done, as the calls show it: failovers to the sovereign model, with their first and last time."""
    n, first, last = con.execute("""
        SELECT count(*), min(observed_at), max(observed_at) FROM calls
        WHERE tenant = ? AND provider = ? AND observed_at BETWEEN ? AND ? AND action = 'failed_over'""",
                                 [row["tenant"], row["provider"], *window]).fetchall()[0]
    if not n:
        return "none recorded in the calls: no call to the provider was failed over or redirected in the window"
    return (f"{n:,} calls failed over to the sovereign model between {first:%Y-%m-%d %H:%M} and {_time(last, first)} "
            "UTC; customers were answered without the provider")


def _time(at: datetime, since: datetime) -> str:
    """``at`` as a time, with its date when it is not the day of ``since``."""
    return f"{at:%H:%M}" if at.date() == since.date() else f"{at:%Y-%m-%d %H:%M}"


def _counted(n: int, what: str) -> str:
    return f"{n:,} {what}" + ("" if n == 1 else "s")
