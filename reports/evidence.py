"""Queries for the DPIA: findings, flows, actions and criteria evidence. DuckDB aggregates, polars shapes.

Every function reads one tenant's calls in [start, end) and returns small frames (one row per
group), so the cost stays in DuckDB's columnar scan whatever the store's size.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb
import polars as pl

from reports.queries import DESTINATION_SET, PERSONAL, period_rollup

CUSTOMER_FACING = ("support_chat", "checkout")
SCORING_FEATURES = ("pricing", "product_discovery")
VULNERABLE_SUBJECTS = ("patient", "employee", "job_applicant", "trainee")
"""WP248's vulnerable data subjects, as fideslang data-subject keys (the only keys a policy may use)."""


def _params(tenant: str, start: datetime, end: datetime) -> dict:
    return {"tenant": tenant, "start": start, "end": end}


_WHERE = "tenant = $tenant AND observed_at >= $start AND observed_at < $end"


def activity_summary(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity: calls, calls with personal data, calls with Art. 9 data (from the period's roll-up)."""
    rollup = period_rollup(con, tenant, start, end)
    return con.sql(f"""
        SELECT activity_id, sum(calls)::BIGINT AS calls,
               coalesce(sum(calls) FILTER (WHERE {PERSONAL}), 0)::BIGINT AS with_pd,
               coalesce(sum(calls) FILTER (WHERE special), 0)::BIGINT AS special
        FROM {rollup} GROUP BY ALL ORDER BY ALL""").pl()


def findings_rollup(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> str:
    """The name of a table of ``tenant``'s calls in [start, end) grouped by flow, action and findings (made once).

    The findings are a list on each call row; unnesting them per call and joining them back to the calls
    cost seconds per million calls. Here one scan groups the calls by what the DPIA counts: feature,
    recipient, places, action, whether personal data was carried, and the list of (rule, severity) of the
    call's findings. ``sample`` is one call's findings from the group (the same rules and severities in
    the same order), kept for their titles and articles. The queries then unnest those few hundred rows.
    Like :func:`reports.queries.period_rollup`, it lives as long as the connection and its snapshot.
    """
    key = f"findings|{tenant}|{start.isoformat()}|{end.isoformat()}"
    name = "findings_" + hashlib.sha256(key.encode()).hexdigest()[:16]
    con.execute(f"""
        CREATE TEMP TABLE IF NOT EXISTS {name} AS
        SELECT row_number() OVER () AS row_id, * FROM (
            SELECT feature, coalesce(provider, 'host:' || host) AS provider, locations, entity_country, action,
                   {PERSONAL} AS personal,
                   list_transform(findings, lambda f: {{'rule_id': f.rule_id, 'severity': f.severity}}) AS kinds,
                   any_value(findings) AS sample, count(*) AS calls
            FROM call_segments WHERE {_WHERE} GROUP BY ALL)""", _params(tenant, start, end))
    return name


_IMPACT = "CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 ELSE 1 END"
_STOPPED = "action IN ('redirected', 'blocked', 'failed_over')"


def findings_by_rule(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per rule: title, articles, worst severity, calls concerned, and how many of those were stopped in-line.

    Informational findings (a lawful basis recorded, processing inside the EEA) are not risks and are left out.
    A call with a rule's finding twice counts once; the title and articles are those of the worst finding."""
    rollup = findings_rollup(con, tenant, start, end)
    return con.sql(f"""
        WITH per_row AS (
            SELECT row_id, f.rule_id, max({_IMPACT}) AS impact, arg_max(f.title, {_IMPACT}) AS title,
                   arg_max(f.articles, {_IMPACT}) AS articles, any_value(calls) AS calls,
                   any_value({_STOPPED}) AS stopped
            FROM (SELECT row_id, calls, action, unnest(sample) AS f FROM {rollup})
            WHERE f.severity <> 'info' GROUP BY row_id, f.rule_id)
        SELECT rule_id, arg_max(title, impact) AS title, arg_max(articles, impact) AS articles, max(impact) AS impact,
               sum(calls)::BIGINT AS calls, coalesce(sum(calls) FILTER (WHERE stopped), 0)::BIGINT AS stopped
        FROM per_row GROUP BY rule_id ORDER BY impact DESC, calls DESC, rule_id""").pl()


_BIN_US = 300_000_000
"""Five minutes in microseconds: the finest bin of the findings chart (bins start on the epoch's multiples)."""


def findings_over_time(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Findings per five minutes and severity (informational ones, such as "stays in the EEA", left out); the
    chart sums them into bins that suit the data's span (``reports.bins``).

    Each call's findings are unnested beside its five-minute bin, an integer (a ``time_bucket`` per finding
    costs a time-zone lookup each); the bins become times again on the grouped rows."""
    return con.sql(f"""
        SELECT make_timestamptz(bin * {_BIN_US}) AS start, f.severity AS severity, count(*) AS findings
        FROM (SELECT epoch_us(observed_at) // {_BIN_US} AS bin, unnest(findings) AS f FROM call_segments WHERE {_WHERE})
        WHERE f.severity <> 'info' GROUP BY ALL ORDER BY ALL""", params=_params(tenant, start, end)).pl()


def flows(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Calls with personal data from app feature to provider to the set of places they went, each call in one
    flow; ``finding``: some call of the flow raised a finding above "info"."""
    rollup = findings_rollup(con, tenant, start, end)
    return con.sql(f"""
        SELECT feature, provider, {DESTINATION_SET} AS destination, sum(calls)::BIGINT AS calls,
               bool_or(len(list_filter(kinds, lambda f: f.severity <> 'info')) > 0) AS finding
        FROM {rollup} WHERE personal
        GROUP BY ALL ORDER BY calls DESC, feature, provider, destination""").pl()


def criteria_facts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counts the WP248 criteria and the measures are judged on (one scan of the period's calls)."""
    row = con.sql(f"""
        SELECT count(*) AS calls,
               count(*) FILTER (WHERE {PERSONAL}) AS with_pd,
               count(*) FILTER (WHERE special) AS special,
               count(*) FILTER (WHERE len(categories) >= 3) AS combined,
               count(*) FILTER (WHERE feature IN {SCORING_FEATURES} AND {PERSONAL}) AS scoring,
               count(*) FILTER (WHERE feature = 'checkout' AND {PERSONAL}) AS checkout,
               count(*) FILTER (WHERE feature IN {CUSTOMER_FACING} AND action IN ('blocked')) AS refused,
               count(*) FILTER (WHERE action = 'redirected') AS redirected,
               count(*) FILTER (WHERE action = 'failed_over') AS failed_over,
               count(*) FILTER (WHERE action = 'blocked') AS blocked,
               count(DISTINCT subject_country) AS subject_countries,
               count(DISTINCT coalesce(provider, host)) AS providers,
               count(DISTINCT content_hash) FILTER (WHERE {PERSONAL}) AS distinct_contents
        FROM calls WHERE {_WHERE}""", params=_params(tenant, start, end)).pl().row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}


def feared_facts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counts the three feared events are judged on (see :mod:`reports.feared`); one scan of the period."""
    row = con.sql(f"""
        WITH c AS (SELECT *, {PERSONAL} AS pd,
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
