"""Ed25519 keys of the ledger: the sink signs each entry, anyone holding the public key verifies.

The private key lives in a file outside the store (``DOUANE_LEDGER_KEY``, default
``<home>/keys/ledger.ed25519``), created on first use with mode 0600. Whoever controls the
store but not this file cannot write an entry that verifies.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class LedgerKeyError(RuntimeError):
    """A ledger key file is missing or unreadable; the message names the file."""


def load_or_create(path: Path) -> Ed25519PrivateKey:
    """The signing key in ``path`` (PEM), created there (0600) when the file does not exist.

    Several processes may ask at once (sinks started side by side on one home): each writes its key whole to a
    file of its own and links it to ``path``, which only one of them can do; the others load the key it made,
    so no one fails on another's file or reads one half written."""
    if path.exists():
        return load_private(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd, own = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # created 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(pem)
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(own, path)
        except FileExistsError:
            return load_private(path)  # another process made it first: its key is the ledger's
    finally:
        os.unlink(own)
    from stream.store.chain import atomic_write  # chain signs with this module: imported here, not at the top

    atomic_write(public_path(path), public_pem(key.public_key()))
    return key


def load_private(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 private key in ``path``."""
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise LedgerKeyError(f"cannot read the ledger signing key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LedgerKeyError(f"{path} holds no Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """The Ed25519 public key in ``path`` (a ``.pub`` PEM, or the private key file it derives from)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LedgerKeyError(f"cannot read the ledger key {path}: {exc}") from None
    if b"PRIVATE KEY" in data:
        return load_private(path).public_key()
    key = serialization.load_pem_public_key(data)
    if not isinstance(key, Ed25519PublicKey):
        raise LedgerKeyError(f"{path} holds no Ed25519 public key")
    return key


class KeyRing:
    """Several public keys read as one (a key rotation: entries signed before it by the old key, after
    it by the new one). It verifies a signature when one of its keys does, so it stands wherever a
    public key is expected."""

    def __init__(self, keys: list[Ed25519PublicKey]) -> None:
        if not keys:
            raise LedgerKeyError("a key ring needs at least one public key")
        self.keys = list(keys)

    def verify(self, signature: bytes, data: bytes) -> None:
        """Return when one key verifies ``signature`` of ``data``; raise ``InvalidSignature`` otherwise."""
        for key in self.keys:
            try:
                key.verify(signature, data)
                return
            except InvalidSignature:
                continue
        raise InvalidSignature()


def load_public_keys(paths: list[Path]) -> Ed25519PublicKey | KeyRing:
    """The public key in one file, or a ring of the keys in several."""
    keys = [load_public(path) for path in paths]
    return keys[0] if len(keys) == 1 else KeyRing(keys)


def public_path(private: Path) -> Path:
    """Where the public half of ``private`` is written."""
    return private.with_name(private.name + ".pub")


def public_pem(key: Ed25519PublicKey) -> bytes:
    """The PEM text of a public key."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign(key: Ed25519PrivateKey, hex_hash: str) -> str:
    """The signature (hex) of an entry hash."""
    return key.sign(bytes.fromhex(hex_hash)).hex()


def signed_by(key: Ed25519PublicKey, hex_hash: str, signature: str) -> bool:
    """Whether ``signature`` is ``key``'s signature of ``hex_hash``."""
    try:
        key.verify(bytes.fromhex(signature), bytes.fromhex(hex_hash))
    except (InvalidSignature, ValueError):
        return False
    return True
