"""The single-file DuckDB store of earlier Douane versions: read only to migrate it (douane store migrate).

Its versioned migrations still bring an older file to the last single-file schema, so that
``stream/store/migrate.py`` reads one shape; nothing writes this format any more.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from stream.store.rows import DESTINATION_VIEWS_SQL, FINDING_TEXT_ID_SQL


class StoreError(RuntimeError):
    """The store cannot be opened or is not in the expected shape; the message says why."""


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its version, what it does, and its SQL."""

    version: int
    description: str
    sql: str


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "calls, findings, ledger, policies, activities, providers, transfers, incidents, alerts", f"""
        CREATE TABLE calls (
            event_id UUID PRIMARY KEY,
            observed_at TIMESTAMPTZ NOT NULL,
            tenant VARCHAR NOT NULL,
            tap_kind VARCHAR NOT NULL,
            tap_name VARCHAR NOT NULL,
            platform VARCHAR NOT NULL,
            feature VARCHAR NOT NULL,
            activity_id VARCHAR,
            subject_country VARCHAR,
            host VARCHAR NOT NULL,
            path VARCHAR NOT NULL,
            provider VARCHAR,
            model VARCHAR,
            locations VARCHAR[] NOT NULL,
            entity_country VARCHAR,
            categories VARCHAR[] NOT NULL,
            category_counts INTEGER[] NOT NULL,
            special BOOLEAN NOT NULL,
            content_hash VARCHAR,
            action VARCHAR NOT NULL,
            status INTEGER,
            latency_ms DOUBLE,
            request_bytes BIGINT,
            response_bytes BIGINT,
            prompt_tokens BIGINT,
            completion_tokens BIGINT,
            error_class VARCHAR,
            decision VARCHAR NOT NULL,
            basis VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            enforcement VARCHAR NOT NULL,
            rules_version VARCHAR NOT NULL,
            batch_id BIGINT NOT NULL,
            row_hash VARCHAR NOT NULL
        );
        CREATE TABLE findings (
            event_id UUID NOT NULL,
            rule_id VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            articles VARCHAR[] NOT NULL,
            title VARCHAR NOT NULL,
            explanation VARCHAR NOT NULL,
            remediation VARCHAR NOT NULL,
            tenant VARCHAR NOT NULL,
            observed_at TIMESTAMPTZ NOT NULL,
            batch_id BIGINT NOT NULL,
            PRIMARY KEY (event_id, rule_id)
        );
        CREATE TABLE ledger (
            batch_id BIGINT PRIMARY KEY,
            written_at TIMESTAMPTZ NOT NULL,
            row_count INTEGER NOT NULL,
            event_ids VARCHAR[] NOT NULL,
            row_hashes VARCHAR[] NOT NULL,
            digest VARCHAR NOT NULL,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );
        CREATE TABLE policies (
            tenant VARCHAR NOT NULL,
            version VARCHAR NOT NULL,
            loaded_at TIMESTAMPTZ NOT NULL,
            document JSON NOT NULL,
            PRIMARY KEY (tenant, version)
        );
        CREATE TABLE processing_activities (
            tenant VARCHAR NOT NULL,
            policy_version VARCHAR NOT NULL,
            activity_id VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            purpose VARCHAR NOT NULL,
            legal_basis VARCHAR NOT NULL,
            special_category_basis VARCHAR,
            data_subjects VARCHAR[] NOT NULL,
            categories VARCHAR[] NOT NULL,
            retention VARCHAR NOT NULL,
            recipients VARCHAR[] NOT NULL,
            transfers VARCHAR[] NOT NULL,
            derogations VARCHAR[] NOT NULL,
            security_measures VARCHAR,
            PRIMARY KEY (tenant, policy_version, activity_id)
        );
        CREATE TABLE providers (
            provider VARCHAR NOT NULL,
            registry_version VARCHAR NOT NULL,
            name VARCHAR NOT NULL,
            entity_name VARCHAR NOT NULL,
            entity_country VARCHAR NOT NULL,
            region_rule VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            checked DATE NOT NULL,
            PRIMARY KEY (provider, registry_version)
        );
        {DESTINATION_VIEWS_SQL}
        CREATE TABLE incidents (
            incident_id VARCHAR PRIMARY KEY,
            kind VARCHAR NOT NULL,
            tenant VARCHAR NOT NULL,
            rule_id VARCHAR NOT NULL,
            provider VARCHAR NOT NULL,
            destination VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            status VARCHAR NOT NULL,
            count BIGINT NOT NULL,
            opened_at TIMESTAMPTZ NOT NULL,
            last_seen TIMESTAMPTZ NOT NULL,
            acknowledged_by VARCHAR,
            acknowledged_at TIMESTAMPTZ,
            early_warning_due TIMESTAMPTZ,
            notification_due TIMESTAMPTZ,
            final_report_due TIMESTAMPTZ,
            document JSON NOT NULL
        );
        CREATE TABLE alert_state (
            incident_id VARCHAR PRIMARY KEY,
            channel VARCHAR NOT NULL,
            message_ts VARCHAR,
            sent_count BIGINT NOT NULL,
            pending BOOLEAN NOT NULL,
            attempts INTEGER NOT NULL,
            next_attempt_at TIMESTAMPTZ,
            last_error VARCHAR,
            updated_at TIMESTAMPTZ NOT NULL
        );
    """),
    Migration(2, "findings keep each text once (finding_texts, finding_rows, view findings); ledger records as text",
              f"""
        CREATE TABLE finding_texts (
            text_id VARCHAR PRIMARY KEY,  -- SHA-256 of the finding's canonical JSON
            rule_id VARCHAR NOT NULL,
            severity VARCHAR NOT NULL,
            articles VARCHAR[] NOT NULL,
            title VARCHAR NOT NULL,
            explanation VARCHAR NOT NULL,
            remediation VARCHAR NOT NULL
        );
        CREATE TABLE finding_rows (
            event_id UUID NOT NULL,
            text_id VARCHAR NOT NULL,
            tenant VARCHAR NOT NULL,
            observed_at TIMESTAMPTZ NOT NULL,
            batch_id BIGINT NOT NULL
        );
        INSERT INTO finding_texts
            SELECT DISTINCT ON (text_id) * FROM (SELECT {FINDING_TEXT_ID_SQL} AS text_id,
                   rule_id, severity, articles, title, explanation, remediation FROM findings);
        INSERT INTO finding_rows SELECT event_id, {FINDING_TEXT_ID_SQL}, tenant, observed_at, batch_id FROM findings;
        DROP TABLE findings;
        CREATE VIEW findings AS
            SELECT r.event_id, t.rule_id, t.severity, t.articles, t.title, t.explanation, t.remediation,
                   r.tenant, r.observed_at, r.batch_id
            FROM finding_rows r JOIN finding_texts t USING (text_id);
        CREATE TABLE ledger_v2 (
            batch_id BIGINT PRIMARY KEY,
            written_at TIMESTAMPTZ NOT NULL,
            row_count INTEGER NOT NULL,
            records VARCHAR NOT NULL,  -- 'event_id:row_hash' lines: the digest's input (one text, not two lists,
                                       -- which DuckDB re-logs in full on every insert)
            digest VARCHAR NOT NULL,
            prev_hash VARCHAR NOT NULL,
            hash VARCHAR NOT NULL
        );
        INSERT INTO ledger_v2
            SELECT batch_id, written_at, row_count,
                   array_to_string(list_transform(range(1, len(event_ids) + 1),
                                                  lambda i: event_ids[i] || ':' || row_hashes[i] || chr(10)), ''),
                   digest, prev_hash, hash
            FROM ledger;
        DROP TABLE ledger;
        ALTER TABLE ledger_v2 RENAME TO ledger;
    """),
)

LATEST = MIGRATIONS[-1].version


def open_store(path: Path | str, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the store; a writer migrates it to :data:`LATEST`, a reader requires it there."""
    path = Path(path)
    if read_only and not path.exists():
        raise StoreError(f"no store at {path}: run the pipeline first ('make demo' or 'douane stream worker --store')")
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open {path}: {exc}. DuckDB allows one writer per file; "
                         "is another sink running on it?") from None
    con.execute("SET TimeZone = 'UTC'")
    if read_only:
        _require_latest(con, path)
    else:
        migrate(con)
    return con


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The store's schema version (0 for an empty file)."""
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'").fetchall()[0][0]
    if not exists:
        return 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchall()[0][0]


def migrate(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply every migration the store lacks, each in its own transaction; the versions applied."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, "
                "description VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
    current = schema_version(con)
    if current > LATEST:
        raise StoreError(f"the store is at schema version {current}, newer than this Douane ({LATEST}); upgrade Douane")
    applied = []
    for step in MIGRATIONS:
        if step.version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        con.execute(step.sql)
        con.execute("INSERT INTO schema_version (version, description) VALUES (?, ?)", [step.version, step.description])
        con.execute("COMMIT")
        applied.append(step.version)
    return applied


def upgrade(path: Path | str) -> list[int]:
    """Open ``path`` as a writer only to migrate it; the versions applied."""
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException as exc:
        raise StoreError(f"cannot open {path}: {exc}") from None
    try:
        return migrate(con)
    finally:
        con.close()


def _require_latest(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    version = schema_version(con)
    if version != LATEST:
        con.close()
        action = "open it once with a writer ('douane store migrate') to upgrade it" if version < LATEST \
            else "upgrade Douane"
        raise StoreError(f"the store {path} is at schema version {version}; this Douane reads version {LATEST}: {action}")
