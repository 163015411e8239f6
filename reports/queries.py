"""Queries over the DuckDB store: one function per question, each answered from the period's roll-up.

Read-only on the store; the roll-up is a temporary table of the connection (see :func:`period_rollup`)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import duckdb
import polars as pl

from reports.errors import ReportError
from reports.period import calls_beside_rollups, whole_days
from reports.transfers import per_destination
from rules.jurisdictions import Jurisdictions
from rules.policy import Policy
from stream.store.rollup import rollup_sql


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


def period_rollup(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> str:
    """The name of a table of ``tenant``'s calls in [start, end) grouped by every dimension a report counts or groups by, made on first use.

    Reports read one period many ways (totals, per recipient, per destination, per category, per finding);
    grouped rows answer them all, so each question reads a few thousand rows instead of the calls. The
    whole days of the period come from the segments' own roll-ups where the store has them (see
    :mod:`stream.store.rollup`); the rest (segments without roll-ups, and the days the period cuts) from
    the calls themselves, grouped the same way, and both are summed. List columns stay lists here;
    destinations and categories are unnested on the grouped rows. The table lives as long as the
    connection, which reads one snapshot: it cannot go stale.
    """
    name = "period_" + hashlib.sha256(f"{tenant}|{start.isoformat()}|{end.isoformat()}".encode()).hexdigest()[:16]
    first_day, end_day = whole_days(start, end)
    calls, params = calls_beside_rollups(start, end)
    con.execute(f"""
        CREATE TEMP TABLE IF NOT EXISTS {name} AS
        SELECT {_GROUP_KEYS}, any_value(sample) AS sample, sum(calls)::BIGINT AS calls,
               min(first_seen) AS first_seen, max(last_seen) AS last_seen
        FROM (SELECT * FROM call_rollups WHERE tenant = $tenant AND day >= {first_day} AND day < {end_day}
              UNION ALL BY NAME {rollup_sql(calls)})
        GROUP BY ALL""", {"tenant": tenant, **params})
    return name


_GROUP_KEYS = ("tenant, day, activity_id, provider, feature, locations, entity_country, categories, special, basis, "
               "decision, action, failed, subject_country, kinds")
PERSONAL = "(len(categories) > 0 OR special)"
"""A call (or a grouped row) that carried personal data: a category detected, or Art. 9 data."""


def period_counts(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> tuple[int, int, int]:
    """Calls of ``tenant`` in [start, end), those with personal data, and those with Art. 9 data."""
    rollup = period_rollup(con, tenant, start, end)
    row = con.execute(f"SELECT sum(calls), sum(calls) FILTER (WHERE {PERSONAL}), sum(calls) FILTER (WHERE special) "
                      f"FROM {rollup}").fetchall()[0]
    return tuple(int(n or 0) for n in row)


def calls_in_period(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> int:
    """How many calls of ``tenant`` the store holds in [start, end)."""
    return period_counts(con, tenant, start, end)[0]


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


PLACES = "list_distinct(list_concat(locations, list_filter([entity_country], lambda x: x IS NOT NULL)))"
"""Every place a call went, each once: its processing locations and the importer's seat."""


def observed_flows(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime,
                   jurisdictions: Jurisdictions) -> pl.DataFrame:
    """Per activity, provider and destination, on that destination's own basis and decision: calls with
    personal data, Art. 9 calls among them, first and last seen (see :mod:`reports.transfers`).

    A call counts once for each place it went (``unknown`` when none was resolved), as in the store's
    ``call_destinations`` view; here the places are unnested from the roll-up's grouped rows."""
    rollup = period_rollup(con, tenant, start, end)
    grouped = con.sql(f"""
        WITH places AS (
            SELECT activity_id, provider, unnest(coalesce(nullif({PLACES}, []), ['unknown'])) AS destination,
                   basis, decision, day, calls, special, first_seen, last_seen
            FROM {rollup} WHERE {PERSONAL})
        SELECT activity_id, provider, destination, basis, decision, DATE '1970-01-01' + day::INTEGER AS day,
               sum(calls)::BIGINT AS calls, min(first_seen) AS first_seen, max(last_seen) AS last_seen,
               coalesce(sum(calls) FILTER (WHERE special), 0)::BIGINT AS special_calls
        FROM places GROUP BY ALL""").pl()
    return per_destination(grouped, jurisdictions)


def personal_data_calls(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> tuple[int, int]:
    """How many calls in the period carried personal data, and how many of those Art. 9 data."""
    return period_counts(con, tenant, start, end)[1:]


DESTINATION_SET = f"coalesce(nullif(array_to_string(list_sort({PLACES}), ' + '), ''), 'unknown')"
"""Every place a call went (processing locations and the importer's seat), as one label: each call once."""


def calls_by_destinations(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime,
                          end: datetime) -> pl.DataFrame:
    """Calls with personal data per set of places they went and per decision; each call counted once."""
    rollup = period_rollup(con, tenant, start, end)
    return con.sql(f"""
        SELECT {DESTINATION_SET} AS destinations, decision, sum(calls)::BIGINT AS calls
        FROM {rollup} WHERE {PERSONAL} GROUP BY ALL ORDER BY ALL""").pl()


def observed_recipients(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity and provider: how many calls carried personal data, and Art. 9 data (each call once)."""
    rollup = period_rollup(con, tenant, start, end)
    return con.sql(f"""
        SELECT activity_id, provider, sum(calls)::BIGINT AS calls,
               coalesce(sum(calls) FILTER (WHERE special), 0)::BIGINT AS special_calls
        FROM {rollup} WHERE {PERSONAL} GROUP BY ALL ORDER BY ALL""").pl()


def observed_categories(con: duckdb.DuckDBPyConnection, tenant: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Per activity: the personal-data categories detected, with how many calls carried each."""
    rollup = period_rollup(con, tenant, start, end)
    return con.sql(f"""
        SELECT activity_id, category, sum(calls)::BIGINT AS calls
        FROM (SELECT activity_id, unnest(categories) AS category, calls FROM {rollup})
        GROUP BY ALL ORDER BY ALL""").pl()


def provider_names(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, str, str]]:
    """Provider id -> (name, entity, entity country), as the registry knew them."""
    rows = con.execute("SELECT provider, name, entity_name, entity_country FROM providers "
                       "QUALIFY row_number() OVER (PARTITION BY provider ORDER BY registry_version DESC) = 1"
                       ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def ledger_summary(con: duckdb.DuckDBPyConnection) -> tuple[int, str]:
    """How many batches the evidence ledger holds, and the hash at its head ("" when empty)."""
    return tuple(con.execute("SELECT count(*), coalesce(max_by(hash, batch_id), '') FROM ledger").fetchall()[0])
