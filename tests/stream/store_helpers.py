"""Shared helpers of the store and ledger tests: a store with its own key and head file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collector import TrafficGenerator
from stream import PolicySet
from stream.store import Report, StoreWriter, verify
from stream.store.heads import head_file_lines
from tests.stream.conftest import EXAMPLES

POLICIES = PolicySet.load([EXAMPLES])


def audited(n: int, seed: int = 1, tenants: tuple[str, ...] = ("shop-berlin", "shop-lyon")) -> list:
    return [POLICIES.audit(e) for e in TrafficGenerator(tenants, seed=seed).events(n)]


@dataclass
class Keyed:
    """A store folder, the key that signs it and the head file it publishes to."""

    root: Path
    key: Ed25519PrivateKey
    heads: Path

    def writer(self) -> StoreWriter:
        return StoreWriter(self.root, key=self.key, heads=self.heads)

    def verify(self) -> Report:
        return verify(self.root, self.key.public_key(), head_file_lines(self.heads))

    def problems(self) -> list[str]:
        return [str(p) for p in self.verify().problems]


def keyed(tmp_path: Path) -> Keyed:
    return Keyed(tmp_path / "store", Ed25519PrivateKey.generate(), tmp_path / "published" / "heads.jsonl")


def count(con, sql: str, *params) -> int:
    return con.execute(sql, list(params)).fetchall()[0][0]
