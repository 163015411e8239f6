"""A rotated ledger key: entries signed before the rotation by the old key, after it by the new one.
The store verifies with both public keys, and with either alone it names what the other signed."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from douane.cli.main import app
from stream.store import StoreWriter
from stream.store.signing import load_or_create, public_path
from tests.stream.store_helpers import audited


@pytest.fixture
def rotated(tmp_path: Path, monkeypatch) -> tuple[Path, Path, Path]:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOUANE_STORE", raising=False)
    old, new = tmp_path / "old.ed25519", tmp_path / "new.ed25519"
    store = tmp_path / "home" / "store"
    StoreWriter(store, key=load_or_create(old)).write(audited(20, seed=1))
    StoreWriter(store, key=load_or_create(new)).write(audited(20, seed=2))
    return store, public_path(old), public_path(new)


def verify(*args: str):
    return CliRunner().invoke(app, ["ledger", "verify", *args], catch_exceptions=False)


def test_both_public_keys_verify_a_store_signed_across_a_rotation(rotated) -> None:
    store, old, new = rotated
    result = verify("--store", str(store), "--public-key", str(new), "--public-key", str(old))
    assert result.exit_code == 0, result.output
    assert "40 calls" in result.output and "intact" in result.output


def test_the_old_key_alone_names_the_entries_the_new_one_signed(rotated) -> None:
    store, old, new = rotated
    result = verify("--store", str(store), "--public-key", str(old))
    assert result.exit_code == 1 and "signature does not verify" in result.output


def test_the_new_key_alone_names_what_the_old_one_signed(rotated) -> None:
    store, old, new = rotated
    result = verify("--store", str(store), "--public-key", str(new))
    assert result.exit_code == 1
    assert "store's identity is not signed" in result.output or "signature does not verify" in result.output
