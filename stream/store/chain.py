"""Ledger chains on disk: one append-only chain of signed entries per Kafka partition (or writer).

An entry is the commit point of a write. It names the segment files it makes visible, the
hash of every record in them, the Kafka offsets they came from, the entry before it, and is
signed with the sink's Ed25519 key. ``ledger/<chain>/<seq>.json`` is created with an
exclusive link: of two sinks that race for the same place in a chain (a rebalance, a zombie),
one wins and the other re-reads the chain and tries again. Files no entry names are invisible
to readers (a write cut short by a crash leaves only such files).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from stream.store.canonical import digest
from stream.store.signing import sign

GENESIS = "0" * 64
LEDGER = "ledger"


class ChainConflict(RuntimeError):
    """Another writer appended to the chain first; re-read it and try again."""


@dataclass(frozen=True)
class Entry:
    """One signed ledger entry: what it made visible (records) or what it lawfully removed (tombstone)."""

    store: str
    chain: str
    seq: int
    prev: str
    kind: str  # "records" | "tombstone" (a lawful deletion) | "compaction" (segments merged, records kept)
    files: list[str]
    count: int
    digest: str  # SHA-256 of the records text
    records_file: str
    first_offset: int | None
    last_offset: int | None
    written_at: str
    writer: str
    body: dict = field(default_factory=dict)  # a tombstone's what, why, under which policy, by whom
    hash: str = ""
    sig: str = ""

    def content(self) -> dict:
        """The signed part: everything but the hash and the signature."""
        fields = asdict(self)
        del fields["hash"], fields["sig"]
        return fields

    def sealed(self, key: Ed25519PrivateKey) -> "Entry":
        """This entry with its hash and signature."""
        entry_hash = digest(self.content())
        return replace(self, hash=entry_hash, sig=sign(key, entry_hash))


def records_text(keys: list[str], hashes: list[str]) -> str:
    """The records of an entry: one ``key:hash`` line each, in file order."""
    return "".join(f"{k}:{h}\n" for k, h in zip(keys, hashes, strict=True))


def parse_records(text: str) -> list[tuple[str, str]]:
    """(key, hash) pairs of a records text."""
    return [tuple(line.rsplit(":", 1)) for line in text.splitlines()]


def chain_dir(root: Path, chain: str) -> Path:
    return root / LEDGER / chain


def entry_path(root: Path, chain: str, seq: int) -> Path:
    return chain_dir(root, chain) / f"{seq:012d}.json"


def chains(root: Path) -> list[str]:
    """The chains the store holds, by name."""
    folder = root / LEDGER
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def entry_files(root: Path, chain: str) -> list[Path]:
    """The entry files of a chain, in sequence order."""
    folder = chain_dir(root, chain)
    return sorted(folder.glob("*.json")) if folder.exists() else []


def read_entry(path: Path) -> Entry:
    """An entry as stored (not yet checked)."""
    return Entry(**json.loads(path.read_bytes()))


def last_entry(root: Path, chain: str) -> Entry | None:
    """The newest entry of a chain, or None for a new chain."""
    files = entry_files(root, chain)
    return read_entry(files[-1]) if files else None


def commit(root: Path, entry: Entry, records: str) -> None:
    """Write the records, then create the entry exclusively; :class:`ChainConflict` if its place is taken."""
    folder = chain_dir(root, entry.chain)
    folder.mkdir(parents=True, exist_ok=True)
    atomic_write(folder / entry.records_file, records.encode())
    final = entry_path(root, entry.chain, entry.seq)
    temp = folder / f".{final.name}.{entry.writer}.tmp"
    temp.write_bytes(json.dumps(asdict(entry), sort_keys=True).encode())
    try:
        os.link(temp, final)  # fails if the place is taken: the commit is atomic and exclusive
    except FileExistsError:
        (folder / entry.records_file).unlink(missing_ok=True)
        raise ChainConflict(f"{entry.chain} #{entry.seq} was written by another sink") from None
    finally:
        temp.unlink(missing_ok=True)


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``path`` whole or not at all (a temporary file renamed over it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
