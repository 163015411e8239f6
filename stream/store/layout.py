"""Where things live in a store folder, and the store's signed identity.

```
<store>/store.json                                   id, creation time, public key; signed
<store>/ledger/<chain>/<seq>.json                    signed ledger entries (the commit points)
<store>/ledger/<chain>/<seq>-<writer>.records        their records: one "key:hash" line each
<store>/calls/tenant=<t>/day=<d>/<chain>-<first>-<last>-<writer>.parquet    call segments
<store>/declared/<table>/<chain>-<seq>-<writer>.parquet                   policies, activities,
                                                                          providers, incidents
```
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stream.store.canonical import digest, timestamp
from stream.store.signing import public_pem, sign

IDENTITY = "store.json"
CALLS = "calls"
DECLARED = "declared"
DECLARED_TABLES = ("policies", "processing_activities", "providers", "incidents")


class StoreError(RuntimeError):
    """The store cannot be opened or is not in the expected shape; the message says why."""


@dataclass(frozen=True)
class Identity:
    """A store's identity: published heads and ledger entries name it; signed at creation."""

    id: str
    created_at: str
    public_key: str
    sig: str = ""

    def content(self) -> dict:
        """The signed part."""
        return {"id": self.id, "created_at": self.created_at, "public_key": self.public_key}


def ensure_identity(root: Path, key: Ed25519PrivateKey) -> Identity:
    """The store's identity, created (and the folder with it) on first use."""
    path = root / IDENTITY
    if path.exists():
        return read_identity(root)
    if root.is_file():
        raise StoreError(single_file_message(root))
    root.mkdir(parents=True, exist_ok=True)
    made = Identity(str(uuid.uuid4()), timestamp(datetime.now(timezone.utc)), public_pem(key.public_key()).decode())
    made = Identity(**{**made.content(), "sig": sign(key, digest(made.content()))})
    temp = root / f".{IDENTITY}.{made.id}.tmp"
    temp.write_text(json.dumps(asdict(made)))
    try:
        os.link(temp, path)
    except FileExistsError:
        pass  # two sinks creating one store at once: the first wins, both use its identity
    finally:
        temp.unlink(missing_ok=True)
    return read_identity(root)


def read_identity(root: Path) -> Identity:
    """The identity in ``store.json``; :class:`StoreError` when there is no store here."""
    path = root / IDENTITY
    if root.is_file():
        raise StoreError(single_file_message(root))
    if not path.exists():
        raise StoreError(f"no store at {root}: run the pipeline first ('douane demo' or 'douane stream sink')")
    try:
        return Identity(**json.loads(path.read_text()))
    except (ValueError, TypeError) as exc:
        raise StoreError(f"{path} is not a store identity: {exc}") from None


def single_file_message(path: Path) -> str:
    """What to do with a single-file DuckDB store of an earlier Douane, naming its schema version."""
    import duckdb

    from stream.store.legacy import schema_version

    try:
        con = duckdb.connect(str(path), read_only=True)
        version = f"schema version {schema_version(con)}"
        con.close()
    except duckdb.Error:
        version = "not readable as DuckDB"
    return (f"{path} is a single-file store of an earlier Douane ({version}); this Douane keeps its evidence in a "
            f"store folder: run 'douane store migrate --from {path}' to move it there")


def tenant_days(tenant: str) -> str:
    """The start of the relative path of every day folder of ``tenant``'s calls (the day follows)."""
    return f"{CALLS}/tenant={quote(tenant, safe='')}/day="


def call_segment(chain: str, tenant: str, day: date, first: int, last: int, writer: str) -> str:
    """The relative path of a calls segment."""
    folder = f"{tenant_days(tenant)}{day.isoformat()}"
    return f"{folder}/{chain}-{first:012d}-{last:012d}-{writer}.parquet"


def declared_segment(table: str, chain: str, seq: int, writer: str) -> str:
    """The relative path of a declared-side segment."""
    return f"{DECLARED}/{table}/{chain}-{seq:012d}-{writer}.parquet"


def data_files(root: Path) -> list[str]:
    """Every segment file present, relative to the store."""
    found = []
    for top in (CALLS, DECLARED):
        folder = root / top
        if folder.exists():
            found += [p.relative_to(root).as_posix() for p in folder.rglob("*.parquet")]
    return sorted(found)
