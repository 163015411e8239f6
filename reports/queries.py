"""Queries over the DuckDB store, aggregated with polars. Read-only; one function per question."""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from reports.errors import ReportError
from reports.transfers import per_destination
from rules.jurisdictions import Jurisdictions
from rules.policy import Policy


def policy_of(con: duckdb.DuckDBPyConnection, tenant: str) -> Policy:
    """The newest policy recorded for ``tenant``."""
    rows = con.execute("SELECT document FROM policies WHERE tenant = ? ORDER BY loaded_at DESC LIMIT 1",
                       [tenant]).fetchall()
    if not rows:
        known = [r[0] for r in con.execute("SELECT DISTINCT tenant FROM policies ORDER BY 1").fetchall()]
        raise ReportError(f"no policy recorded for tenant {tenant!r}; tenants in this store: "
                          f"{', '.join(known) or 'none (run the sink with --policy)'}")
    return Policy.model_validate_json(rows[0][0])


def policy_as_of(con: duckdb.DuckDBPyConnection, tenant: str, as_of: datetime) -> tuple[Policy, datetime]:
    """The policy of ``tenant`` in force at ``as_of`` (the newest recorded by then), and when it was recorded."""
    rows = con.execute("SELECT document, loaded_at FROM policies WHERE tenant = ? AND loaded_at <= ? "
                       "ORDER BY loaded_at DESC LIMIT 1", [tenant, as_of]).fetchall()
    if rows:
        return Policy.model_validate_json(rows[0][0]), rows[0][1]
    first = con.execute("SELECT min(loaded_at) FROM policies WHERE tenant = ?", [tenant]).fetchall()[0][0]
    if first is None:
        policy_of(con, tenant)  # raises, naming the tenants the store knows
    raise ReportError(f"no policy of {tenant} was recorded by {as_of:%Y-%m-%d}; the first was recorded on "
                      f"{first:%Y-%m-%d} — give --as-of on or after that day")


def calls_in_period(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> int:
    """How many calls of ``tenant`` the store holds in [start, end)."""
    return con.execute("SELECT count(*) FROM calls WHERE tenant = ? AND observed_at >= ? AND observed_at < ?",
                       [tenant, start, end]).fetchall()[0][0]


def require_calls(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> int:
    """The number of calls in the period, or a :class:`ReportError` saying which period the store covers."""
    n = calls_in_period(con, tenant, start, end)
    if n:
        return n
    first, last = con.execute("SELECT min(observed_at), max(observed_at) FROM calls WHERE tenant = ?",
                              [tenant]).fetchall()[0]
    covers = f"it holds calls of {tenant} from {first:%Y-%m-%d} to {last:%Y-%m-%d}" if first else \
        f"it holds no calls of {tenant}"
    raise ReportError(f"no calls of {tenant} between {start:%Y-%m-%d} and {end:%Y-%m-%d} in the store; {covers}")


def observed_flows(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime,
                   jurisdictions: Jurisdictions) -> pl.DataFrame:
    """Per activity, provider and destination, on that destination's own basis and decision: calls with
    personal data, Art. 9 calls among them, first and last seen (see :mod:`reports.transfers`)."""
    grouped = con.sql(
        """
        SELECT activity AS activity_id, recipient AS provider, destination, basis, decision,
               CAST(observed_at AS DATE) AS day, count(*) AS calls, min(observed_at) AS first_seen,
               max(observed_at) AS last_seen, count(*) FILTER (WHERE special) AS special_calls
        FROM call_destinations
        WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end
        GROUP BY ALL
        """, params={"tenant": tenant, "start": start, "end": end}).pl()
    return per_destination(grouped, jurisdictions)


def personal_data_calls(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> tuple[int, int]:
    """How many calls in the period carried personal data, and how many of those Art. 9 data."""
    return tuple(con.execute(
        "SELECT count(*) FILTER (WHERE len(categories) > 0 OR special), count(*) FILTER (WHERE special) "
        "FROM calls WHERE tenant = ? AND observed_at >= ? AND observed_at < ?", [tenant, start, end]).fetchall()[0])


DESTINATION_SET = """coalesce(nullif(array_to_string(list_sort(list_distinct(list_concat(locations,
    list_filter([entity_country], lambda x: x IS NOT NULL)))), ' + '), ''), 'unknown')"""
"""Every place a call went (processing locations and the importer's seat), as one label: each call once."""


def calls_by_destinations(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime,
                          end: datetime) -> pl.DataFrame:
    """Calls with personal data per set of places they went and per decision; each call counted once."""
    return con.sql(
        f"""
        SELECT {DESTINATION_SET} AS destinations, decision, count(*) AS calls
        FROM calls
        WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end AND (len(categories) > 0 OR special)
        GROUP BY ALL ORDER BY ALL
        """, params={"tenant": tenant, "start": start, "end": end}).pl()


def observed_recipients(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity and provider: how many calls carried personal data, and Art. 9 data (each call once)."""
    return con.sql(
        """
        SELECT coalesce(activity_id, '-') AS activity_id, coalesce(provider, 'host:' || host) AS provider,
               count(*) AS calls, count(*) FILTER (WHERE special) AS special_calls
        FROM calls
        WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end AND (len(categories) > 0 OR special)
        GROUP BY ALL ORDER BY ALL
        """, params={"tenant": tenant, "start": start, "end": end}).pl()


def observed_categories(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity: the personal-data categories detected, with how many calls carried each."""
    return con.sql(
        """
        SELECT coalesce(activity_id, '-') AS activity_id, unnest(categories) AS category
        FROM calls WHERE tenant = $tenant AND observed_at >= $start AND observed_at < $end
        """, params={"tenant": tenant, "start": start, "end": end}).pl().group_by(
        ["activity_id", "category"]).agg(pl.len().alias("calls")).sort(["activity_id", "category"])


def provider_names(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    """Provider id -> (name, entity, entity country), as the registry knew them."""
    rows = con.execute("SELECT provider, name, entity_name, entity_country FROM providers "
                       "QUALIFY row_number() OVER (PARTITION BY provider ORDER BY registry_version DESC) = 1"
                       ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def ledger_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """How many batches the evidence ledger holds, and the hash at its head ("" when empty)."""
    return tuple(con.execute("SELECT count(*), coalesce(max_by(hash, batch_id), '') FROM ledger").fetchall()[0])
