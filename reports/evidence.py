"""Queries for the DPIA: findings, flows, actions and criteria evidence. DuckDB aggregates, polars shapes.

Every function reads one tenant's calls in [start, end) from the period's roll-up (grouped rows, see
:func:`reports.queries.period_rollup`) and returns small frames (one row per group).
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from reports.period import calls_beside_rollups, whole_days
from reports.queries import DESTINATION_SET, PERSONAL, period_rollup
from stream.store.rollup import BIN_US, DAY_US, bins_sql

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

    Grouped from the period's roll-up (:func:`reports.queries.period_rollup`), whose rows carry each call's
    findings as the list of their (rule, severity), in the call's order: feature, recipient, places, action,
    whether personal data was carried, and that list. ``sample`` is one call's findings with that list (the
    same rules and severities in the same order), kept for their titles and articles.
    """
    period = period_rollup(con, tenant, start, end)
    name = "findings_" + period
    con.execute(f"""
        CREATE TEMP TABLE IF NOT EXISTS {name} AS
        WITH samples AS (SELECT kinds, any_value(sample) AS sample FROM {period} GROUP BY kinds)
        SELECT row_number() OVER () AS row_id, grouped.*, samples.sample FROM (
            SELECT feature, provider, locations, entity_country, action, {PERSONAL} AS personal, kinds,
                   sum(calls)::BIGINT AS calls
            FROM {period} GROUP BY ALL) AS grouped
        JOIN samples ON grouped.kinds IS NOT DISTINCT FROM samples.kinds""")
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


def findings_over_time(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Findings per five minutes and severity (informational ones, such as "stays in the EEA", left out); the
    chart sums them into bins that suit the data's span (``reports.bins``).

    Whole days come from the segments' roll-ups where they have them, the rest from the calls (see
    :func:`reports.queries.period_rollup`). Each call's findings are unnested beside its five-minute bin, an
    integer (a ``time_bucket`` per finding costs a time-zone lookup each); the bins become times again on the
    grouped rows."""
    first_day, end_day = whole_days(start, end)
    per_day = DAY_US // BIN_US
    calls, params = calls_beside_rollups(start, end)
    return con.sql(f"""
        SELECT make_timestamptz(bin * {BIN_US}) AS start, severity, sum(findings)::BIGINT AS findings
        FROM (SELECT * FROM call_rollup_bins WHERE tenant = $tenant AND bin >= {first_day * per_day}
                  AND bin < {end_day * per_day}
              UNION ALL BY NAME {bins_sql(calls)})
        GROUP BY ALL ORDER BY ALL""", params={"tenant": tenant, **params}).pl()


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
    """The counts the WP248 criteria and the measures are judged on (from the period's roll-up, but for the
    distinct contents: a count of distinct values does not add up over segments, so it reads that one column)."""
    rollup = period_rollup(con, tenant, start, end)
    row = con.sql(f"""
        SELECT sum(calls) AS calls,
               sum(calls) FILTER (WHERE {PERSONAL}) AS with_pd,
               sum(calls) FILTER (WHERE special) AS special,
               sum(calls) FILTER (WHERE len(categories) >= 3) AS combined,
               sum(calls) FILTER (WHERE feature IN {SCORING_FEATURES} AND {PERSONAL}) AS scoring,
               sum(calls) FILTER (WHERE feature = 'checkout' AND {PERSONAL}) AS checkout,
               sum(calls) FILTER (WHERE feature IN {CUSTOMER_FACING} AND action IN ('blocked')) AS refused,
               sum(calls) FILTER (WHERE action = 'redirected') AS redirected,
               sum(calls) FILTER (WHERE action = 'failed_over') AS failed_over,
               sum(calls) FILTER (WHERE action = 'blocked') AS blocked,
               count(DISTINCT subject_country) AS subject_countries,
               count(DISTINCT provider) AS providers
        FROM {rollup}""").pl().row(0, named=True)
    contents = con.execute(f"SELECT count(DISTINCT content_hash) FILTER (WHERE {PERSONAL}) FROM calls WHERE {_WHERE}",
                           _params(tenant, start, end)).fetchall()[0][0]
    return {**{k: int(v or 0) for k, v in row.items()}, "distinct_contents": int(contents or 0)}


def feared_facts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> dict[str, int]:
    """The counts the three feared events are judged on (see :mod:`reports.feared`), from the period's roll-up."""
    rollup = period_rollup(con, tenant, start, end)
    row = con.sql(f"""
        WITH c AS (SELECT *, {PERSONAL} AS pd,
                          decision IN ('unauthorised', 'needs_review') AS unprotected,
                          action IN ('redirected', 'blocked') AS stopped
                   FROM {rollup})
        SELECT sum(calls) AS calls, sum(calls) FILTER (WHERE pd) AS with_pd,
               sum(calls) FILTER (WHERE pd AND unprotected) AS exposed,
               sum(calls) FILTER (WHERE pd AND unprotected AND stopped) AS exposed_stopped,
               sum(calls) FILTER (WHERE pd AND decision = 'allowed_with_safeguard') AS safeguarded,
               sum(calls) FILTER (WHERE special) AS special,
               sum(calls) FILTER (WHERE special AND unprotected AND NOT stopped) AS special_left,
               sum(calls) FILTER (WHERE special AND decision = 'allowed_with_safeguard') AS special_safeguarded,
               sum(calls) FILTER (WHERE len(list_filter(categories, lambda x: x LIKE 'user.financial%')) > 0) AS financial,
               sum(calls) FILTER (WHERE feature IN ('checkout', 'pricing') AND pd) AS decision_support,
               sum(calls) FILTER (WHERE failed) AS failed,
               sum(calls) FILTER (WHERE failed AND action = 'failed_over') AS failed_served
        FROM c""").pl().row(0, named=True)
    return {k: int(v or 0) for k, v in row.items()}
