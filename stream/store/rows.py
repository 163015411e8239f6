"""Rows of the store built from an audited call, and the canonical form each record is hashed in.

The record hash is computed by DuckDB, with one SQL expression used both when the
sink writes and when ``douane ledger verify`` checks: the JSON array of the call's
typed columns followed by the JSON array of its findings ordered by rule. JSON keeps
the form unambiguous (no separator can be forged inside a value). The store holds no
prompt text, so neither does the hash input.
"""

from __future__ import annotations

from dataclasses import dataclass

from douane.contract import AICallEvent, Verdict
from douane.contract.fast import EventView

CALL_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "UUID"), ("observed_at", "TIMESTAMPTZ"), ("tenant", "VARCHAR"), ("tap_kind", "VARCHAR"),
    ("tap_name", "VARCHAR"), ("platform", "VARCHAR"), ("feature", "VARCHAR"), ("activity_id", "VARCHAR"),
    ("subject_country", "VARCHAR"), ("host", "VARCHAR"), ("path", "VARCHAR"), ("provider", "VARCHAR"),
    ("model", "VARCHAR"), ("locations", "VARCHAR[]"), ("entity_country", "VARCHAR"), ("categories", "VARCHAR[]"),
    ("category_counts", "INTEGER[]"), ("special", "BOOLEAN"), ("content_hash", "VARCHAR"), ("action", "VARCHAR"),
    ("status", "INTEGER"), ("latency_ms", "DOUBLE"), ("request_bytes", "BIGINT"), ("response_bytes", "BIGINT"),
    ("prompt_tokens", "BIGINT"), ("completion_tokens", "BIGINT"), ("error_class", "VARCHAR"), ("decision", "VARCHAR"),
    ("basis", "VARCHAR"), ("severity", "VARCHAR"), ("enforcement", "VARCHAR"), ("rules_version", "VARCHAR"),
)
"""Hashed columns of ``calls`` with their types, in hash order (``batch_id``, ``row_hash`` are not hashed).

Also the columns of the single-file store of earlier Douane, whose ledger hashes them (``legacy_ledger``)."""

REPLAY_COLUMNS: tuple[tuple[str, str], ...] = (("scan", "VARCHAR"), ("consent_ref", "VARCHAR"),
                                               ("region_hints", "HINTS"))
"""What the rules read besides the columns above, kept so that a call rebuilt from the store for replay is
judged as it was from Kafka: the scan state, the consent reference (an id in the app's consent records,
never an identity) and the region hints (where read, key, value). Keys and references, never content."""

SUBJECT_COLUMNS: tuple[tuple[str, str], ...] = (("subject_ref", "VARCHAR"),)
"""The keyed hash of the data subject's id that a tap may send (``AICallEvent.subject_ref``): what an Art. 17
request by subject is matched on (``douane store erase --subject-ref``). Never the id itself."""

SEGMENT_COLUMNS = CALL_COLUMNS + REPLAY_COLUMNS + SUBJECT_COLUMNS
"""The columns of a calls segment (before its nested findings)."""

FINDING_COLUMNS = ("rule_id", "severity", "articles", "title", "explanation", "remediation")

FINDING_JSON_SQL = f"json_array({', '.join(FINDING_COLUMNS)})"
"""SQL for one finding's canonical JSON."""

FINDING_TEXT_ID_SQL = f"sha256({FINDING_JSON_SQL}::VARCHAR)"
"""SQL for a finding text's key in ``finding_texts``: the SHA-256 of its canonical JSON."""


DESTINATION_VIEWS_SQL = """
CREATE VIEW call_destinations AS
    -- One row per call with personal data and per place it went: processing locations and the
    -- importer's seat; 'unknown' when the call's destination could not be resolved.
    SELECT *, coalesce(activity_id, '-') AS activity, coalesce(provider, 'host:' || host) AS recipient,
           unnest(coalesce(nullif(list_distinct(list_concat(locations,
               list_filter([entity_country], lambda x: x IS NOT NULL))), []), ['unknown'])) AS destination
    FROM calls WHERE len(categories) > 0 OR special;
CREATE VIEW transfers AS
    SELECT tenant, activity AS activity_id, recipient AS provider, destination, basis, decision,
           count(*) AS calls, min(observed_at) AS first_seen, max(observed_at) AS last_seen
    FROM call_destinations GROUP BY ALL;
"""
"""The views over ``calls`` that the reports' transfer map reads: the store reader's, and the single-file
store's since its first schema version (one text, so that both keep answering alike)."""


def call_canon_sql(alias: str) -> str:
    """SQL for the canonical JSON of a call row (columns cast to the table's types)."""
    return "json_array(" + ", ".join(f"{alias}.{name}::{kind}" for name, kind in CALL_COLUMNS) + ")"


def findings_canon_sql(table: str, key: str = "event_id") -> str:
    """SQL selecting ``key`` and the canonical JSON of the findings grouped under it in ``table``.

    The store groups by event id; the writer by findings set (one per distinct verdict in a
    batch), which gives every call of that set the same JSON and computes it once.
    """
    return (f"SELECT {key}::VARCHAR AS {key}, to_json(list({FINDING_JSON_SQL} ORDER BY rule_id)) AS fj "
            f"FROM {table} GROUP BY {key}")


def record_hash_sql(call_alias: str, findings_alias: str) -> str:
    """SQL for a record's hash: SHA-256 of the call's canonical JSON and its findings' (``[]`` when none)."""
    return f"sha256({call_canon_sql(call_alias)}::VARCHAR || coalesce({findings_alias}.fj::VARCHAR, '[]'))"


@dataclass(frozen=True)
class Audited:
    """One call after evaluation: the event (the model, or its fast view), its verdict, and what the engine resolved."""

    event: AICallEvent | EventView
    verdict: Verdict
    activity_id: str | None
    provider: str | None
    locations: frozenset[str]
    entity_country: str | None


def call_columns(items: list[Audited], event_ids: list[str]) -> dict[str, list]:
    """The ``calls`` columns of a batch (without batch id and hash): one row tuple per call, then transposed.

    One pass reading each call's parts once is about half the cost of a pass per column. Enum
    values are read as ``_value_``, a plain attribute (``.value`` is a descriptor, 1-2 µs a read).
    """
    rows = zip(*map(_segment_row, items, event_ids)) if items else ([] for _ in SEGMENT_COLUMNS)
    return {name: list(values) for (name, _), values in zip(SEGMENT_COLUMNS, rows, strict=True)}


def _segment_row(item: Audited, event_id: str) -> tuple:
    """A call's values in the order of ``SEGMENT_COLUMNS``."""
    e, v = item.event, item.verdict
    d, o, p = e.destination, e.outcome, e.personal_data
    categories = sorted(p.categories, key=_by_category) if len(p.categories) > 1 else p.categories
    return (event_id, e.observed_at, e.tenant, e.tap.kind._value_, e.tap.name, e.app.platform, e.app.feature,
            item.activity_id, e.data_subject_country, d.host, d.path, item.provider, d.model, sorted(item.locations),
            item.entity_country, [c.category for c in categories], [c.count for c in categories],
            p.special_category, p.content_hash, o.action._value_, o.status, o.latency_ms, o.request_bytes,
            o.response_bytes, o.prompt_tokens, o.completion_tokens,
            o.error_class._value_ if o.error_class else None, v.decision._value_, v.basis._value_,
            v.severity._value_, v.enforcement._value_, v.rules_version,
            p.scan._value_, e.consent_ref, _hints(d), e.subject_ref)


def _hints(destination) -> list[dict]:
    return [{"key": h.key, "source": h.source._value_, "value": h.value} for h in destination.region_hints]


def finding_sets(items: list[Audited]) -> tuple[list[int], dict[str, list]]:
    """Each call's findings-set number, and the columns of the batch's distinct sets' findings.

    The engine memoises its findings, so calls judged alike hold the same finding objects:
    the batch carries each combination once (a few hundred rows, not two per call).
    """
    numbers: dict[tuple[int, ...], int] = {}
    keys = []
    columns: dict[str, list] = {name: [] for name in ("fset", *FINDING_COLUMNS)}
    for item in items:
        findings = item.verdict.findings
        key = tuple(map(id, findings))  # the objects live as long as the batch: ids are not reused meanwhile
        number = numbers.get(key)
        if number is None:
            number = numbers[key] = len(numbers)
            for f in findings:
                for name, value in zip(columns, (number, f.rule_id, f.severity.value, list(f.articles), f.title,
                                                 f.explanation, f.remediation)):
                    columns[name].append(value)
        keys.append(number)
    return keys, columns


def _by_category(count) -> str:
    return count.category
