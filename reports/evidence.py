"""Queries for the DPIA: findings, flows, actions and criteria evidence. DuckDB aggregates, polars shapes.

Every function reads one tenant's calls in [start, end) and returns small frames (one row per
group), so the cost stays in DuckDB's columnar scan whatever the store's size.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from reports.queries import DESTINATION_SET

CUSTOMER_FACING = ("support_chat", "checkout")
SCORING_FEATURES = ("pricing", "product_discovery")
VULNERABLE_SUBJECTS = ("patient", "employee", "job_applicant", "trainee")
"""WP248's vulnerable data subjects, as fideslang data-subject keys (the only keys a policy may use)."""


def _params(tenant: str, start: datetime, end: datetime) -> dict:
    return {"tenant": tenant, "start": start, "end": end}


_WHERE = "tenant = $tenant AND observed_at >= $start AND observed_at < $end"


def activity_summary(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity: calls, calls with personal data, calls with Art. 9 data."""
    return con.sql(f"""
        SELECT coalesce(activity_id, '-') AS activity_id, count(*) AS calls,
               count(*) FILTER (WHERE len(categories) > 0 OR special) AS with_pd,
               count(*) FILTER (WHERE special) AS special
        FROM calls WHERE {_WHERE} GROUP BY ALL ORDER BY ALL""", params=_params(tenant, start, end)).pl()


def findings_by_rule(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per rule: title, articles, worst severity, calls concerned, and how many of those were stopped in-line.

    Informational findings (a lawful basis recorded, processing inside the EEA) are not risks and are left out."""
    return con.sql(f"""
        SELECT f.rule_id, any_value(f.title) AS title, any_value(f.articles) AS articles,
               max(CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END)
                   AS impact,
               count(DISTINCT f.event_id) AS calls,
               count(DISTINCT f.event_id) FILTER (WHERE c.action IN ('redirected', 'blocked', 'failed_over'))
                   AS stopped
        FROM findings f JOIN calls c USING (event_id)
        WHERE f.tenant = $tenant AND f.observed_at >= $start AND f.observed_at < $end AND f.severity <> 'info'
        GROUP BY f.rule_id ORDER BY impact DESC, calls DESC, f.rule_id""", params=_params(tenant, start, end)).pl()


def findings_over_time(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Findings per five minutes and severity (informational ones, such as "stays in the EEA", left out); the
    chart sums them into bins that suit the data's span (``reports.bins``)."""
    return con.sql("""
        SELECT time_bucket(INTERVAL '5 minutes', observed_at, TIMESTAMPTZ '2000-01-03 00:00:00+00') AS start,
               severity, count(*) AS findings
        FROM findings WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end AND severity <> 'info'
        GROUP BY ALL ORDER BY ALL""", params=_params(tenant, start, end)).pl()


def flows(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Calls with personal data from app feature to provider to the set of places they went, each call in one
    flow; ``finding``: some call of the flow raised a finding above "info"."""
    return con.sql(f"""
        SELECT feature, coalesce(provider, 'host:' || host) AS provider, {DESTINATION_SET} AS destination,
               count(*) AS calls, bool_or(event_id IN (
                   SELECT event_id FROM findings WHERE {_WHERE} AND severity <> 'info')) AS finding
        FROM calls WHERE {_WHERE} AND (len(categories) > 0 OR special)
        GROUP BY ALL ORDER BY calls DESC, feature, provider, destination""",
                   params=_params(tenant, start, end)).pl()


def criteria_facts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counts the WP248 criteria and the measures are judged on (one scan of the period's calls)."""
    row = con.sql(f"""
        SELECT count(*) AS calls,
               count(*) FILTER (WHERE len(categories) > 0 OR special) AS with_pd,
               count(*) FILTER (WHERE special) AS special,
               count(*) FILTER (WHERE len(categories) >= 3) AS combined,
               count(*) FILTER (WHERE feature IN {SCORING_FEATURES} AND (len(categories) > 0 OR special)) AS scoring,
               count(*) FILTER (WHERE feature = 'checkout' AND (len(categories) > 0 OR special)) AS checkout,
               count(*) FILTER (WHERE feature IN {CUSTOMER_FACING} AND action IN ('blocked')) AS refused,
               count(*) FILTER (WHERE action = 'redirected') AS redirected,
               count(*) FILTER (WHERE action = 'failed_over') AS failed_over,
               count(*) FILTER (WHERE action = 'blocked') AS blocked,
               count(DISTINCT subject_country) AS subject_countries,
               count(DISTINCT coalesce(provider, host)) AS providers,
               count(DISTINCT content_hash) FILTER (WHERE len(categories) > 0 OR special) AS distinct_contents
        FROM calls WHERE {_WHERE}""", params=_params(tenant, start, end)).pl().row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}


def feared_facts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counts the three feared events are judged on (see :mod:`reports.feared`); one scan of the period."""
    row = con.sql(f"""
        WITH c AS (SELECT *, (len(categories) > 0 OR special) AS pd,
                          decision IN ('unauthorised', 'needs_review') AS unprotected,
                          action IN ('redirected', 'blocked') AS stopped
                   FROM calls WHERE {_WHERE})
        SELECT count(*) AS calls, count(*) FILTER (WHERE pd) AS with_pd,
               count(*) FILTER (WHERE pd AND unprotected) AS exposed,
               count(*) FILTER (WHERE pd AND unprotected AND stopped) AS exposed_stopped,
               count(*) FILTER (WHERE pd AND decision = 'allowed_with_safeguard') AS safeguarded,
               count(*) FILTER (WHERE special) AS special,
               count(*) FILTER (WHERE special AND unprotected AND NOT stopped) AS special_left,
               count(*) FILTER (WHERE special AND decision = 'allowed_with_safeguard') AS special_safeguarded,
               count(*) FILTER (WHERE len(list_filter(categories, lambda x: x LIKE 'user.financial%')) > 0) AS financial,
               count(*) FILTER (WHERE feature IN ('checkout', 'pricing') AND pd) AS decision_support,
               count(*) FILTER (WHERE error_class IS NOT NULL) AS failed,
               count(*) FILTER (WHERE error_class IS NOT NULL AND action = 'failed_over') AS failed_served
        FROM c""", params=_params(tenant, start, end)).pl().row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}
