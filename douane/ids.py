"""Time-ordered identifiers (UUIDv7, RFC 9562) for events.

Python 3.11's :mod:`uuid` has no ``uuid7``; this is the RFC layout: 48 bits of
Unix milliseconds, version, 12 random bits, variant, 62 random bits.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid


def uuid7(unix_ms: int | None = None) -> uuid.UUID:
    """Return a new UUIDv7 for ``unix_ms`` (now when omitted)."""
    ms = time.time_ns() // 1_000_000 if unix_ms is None else unix_ms
    if not 0 <= ms < 1 << 48:
        raise ValueError(f"timestamp out of the UUIDv7 range: {ms}")
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = rand >> 68  # 12 bits
    rand_b = rand & ((1 << 62) - 1)
    value = (ms << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


def uuid7_unix_ms(value: uuid.UUID) -> int:
    """The millisecond timestamp carried by a UUIDv7."""
    if value.version != 7:
        raise ValueError(f"not a UUIDv7: {value}")
    return value.int >> 80


def uuid7_for(unix_ms: int, seed: bytes) -> uuid.UUID:
    """A UUIDv7 whose random bits come from ``seed``: the same input always gives the same id.

    For events derived from something that already has an identity (an OTel span), so a
    retried export yields the same ``event_id`` and the idempotent store keeps one row.
    """
    if not 0 <= unix_ms < 1 << 48:
        raise ValueError(f"timestamp out of the UUIDv7 range: {unix_ms}")
    rand = int.from_bytes(hashlib.sha256(seed).digest()[:10], "big")
    value = (unix_ms << 80) | (0x7 << 76) | ((rand >> 68) << 64) | (0b10 << 62) | (rand & ((1 << 62) - 1))
    return uuid.UUID(int=value)
