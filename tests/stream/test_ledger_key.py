"""The ledger's signing key is created once, whoever asks for it first: sinks started side by side on one
home share the key one of them made, and neither fails on the other's file."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from stream.store.signing import load_or_create, public_path


def _public(key) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def test_a_key_made_by_another_sink_between_the_look_and_the_create_is_loaded(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "keys" / "ledger.ed25519"
    other = load_or_create(path)  # the other sink, started at the same moment, made it first
    public = public_path(path).read_bytes()
    monkeypatch.setattr(Path, "exists", lambda self: False)  # this one looked before the file was there
    mine = load_or_create(path)
    assert _public(mine) == _public(other) and public_path(path).read_bytes() == public


def test_many_at_once_share_one_key(tmp_path: Path) -> None:
    path, keys, errors = tmp_path / "keys" / "ledger.ed25519", [], []
    start = threading.Barrier(8)

    def one() -> None:
        start.wait()
        try:
            keys.append(_public(load_or_create(path)))
        except Exception as exc:  # noqa: BLE001 - the test reports whatever a sink would have died of
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(set(keys)) == 1 and len(keys) == 8
    assert sorted(p.name for p in path.parent.iterdir()) == ["ledger.ed25519", "ledger.ed25519.pub"]
    assert path.stat().st_mode & 0o777 == 0o600
