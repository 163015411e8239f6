"""Roll-ups: a segment's calls grouped by what the reports count, written once beside the segment.

A report over a period reads every call of it; at ten million calls that is seconds of DuckDB per
question. A segment never changes once committed, so its calls can be grouped once, when the
compactor writes it, by every key the reports count or group by (tenant, day, activity, recipient,
places, categories, basis, decision, action, failure, subject country, the findings' rules and
severities), and a report sums those grouped rows instead of the calls. A second file counts the
segment's findings per five minutes and severity, for the DPIA's chart.

Trust: the roll-ups' SHA-256 digests are written into the body of the signed entry that names the
segment, so a roll-up edited after the fact no longer matches and the reader ignores it (it then
reads the segment's calls, as for a segment without roll-ups). A roll-up covers whole days only:
a period that starts or ends inside a day reads that day's calls from the segment itself.

```
<store>/rollups/<segment path>                          the segment's calls, grouped
<store>/rollups/<segment path without .parquet>.bins.parquet    findings per 5 minutes and severity
```
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

ROLLUPS = "rollups"
DAY_US = 86_400_000_000
BIN_US = 300_000_000
"""Five minutes in microseconds: the finest bin of the findings chart (bins start on the epoch's multiples)."""


def rollup_sql(source: str) -> str:
    """SQL grouping the calls of ``source`` (a table or view with the segment columns) into roll-up rows.

    Lists stay lists; the day is counted from the epoch (an integer, as a cast to DATE per call costs a
    time-zone lookup each). ``sample`` is one call's findings for each tenant, day and list of (rule,
    severity), on one of the rows with those and NULL on the others: titles and articles are long, and
    wanted once; per day, so that any run of whole days a report reads holds a sample of each list."""
    return f"""
        SELECT * EXCLUDE (sample), CASE WHEN row_number() OVER (PARTITION BY tenant, day, kinds) = 1 THEN sample END AS sample
        FROM (SELECT tenant, epoch_us(observed_at) // {DAY_US} AS day, coalesce(activity_id, '-') AS activity_id,
                     coalesce(provider, 'host:' || host) AS provider, feature, locations, entity_country, categories,
                     special, basis, decision, action, error_class IS NOT NULL AS failed, subject_country,
                     list_transform(findings, lambda f: {{'rule_id': f.rule_id, 'severity': f.severity}}) AS kinds,
                     any_value(findings) AS sample, count(*) AS calls, min(observed_at) AS first_seen,
                     max(observed_at) AS last_seen
              FROM {source} GROUP BY ALL)"""


def bins_sql(source: str) -> str:
    """SQL counting the findings above "info" of ``source``'s calls per tenant, five minutes and severity."""
    return f"""
        SELECT tenant, bin, f.severity AS severity, count(*) AS findings
        FROM (SELECT tenant, epoch_us(observed_at) // {BIN_US} AS bin, unnest(findings) AS f FROM {source})
        WHERE f.severity <> 'info' GROUP BY ALL"""


def rollup_files(segment: str) -> tuple[str, str]:
    """The relative paths of a segment's roll-up and of its findings bins."""
    stem = segment.removesuffix(".parquet")
    return f"{ROLLUPS}/{stem}.parquet", f"{ROLLUPS}/{stem}.bins.parquet"


def with_rollups(segments: list[str]) -> list[str]:
    """``segments`` and their roll-ups: what to remove when the segments go (a roll-up counts their calls)."""
    return [*segments, *(r for s in segments if s.startswith("calls/") for r in rollup_files(s))]


def write_rollups(root: Path, segment: str) -> dict[str, str]:
    """Write the roll-ups of the committed-to-be ``segment``; their digests, to go in the entry's body."""
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    source = f"read_parquet('{_escaped(root / segment)}', hive_partitioning = false)"
    digests = {}
    for relative, sql in zip(rollup_files(segment), (rollup_sql(source), bins_sql(source))):
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        con.execute(f"COPY ({sql}) TO '{_escaped(temp)}' (FORMAT parquet, COMPRESSION zstd)")
        temp.replace(path)
        digests[relative] = file_digest(path)
    con.close()
    return digests


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def trusted(root: Path, segment: str, digests: dict[str, str]) -> bool:
    """Whether both roll-ups of ``segment`` are present and equal to the digests its signed entry holds."""
    for relative in rollup_files(segment):
        path = root / relative
        if relative not in digests or not path.exists() or file_digest(path) != digests[relative]:
            return False
    return True


def _escaped(path: Path) -> str:
    return str(path).replace("'", "''")
