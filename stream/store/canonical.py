"""The canonical form every ledger hash is taken over: RFC 8785 JSON (JCS), not DuckDB's rendering.

A record is a JSON object of its stored columns; keys sorted, no whitespace, strings escaped
minimally, numbers as ECMAScript prints them, timestamps as RFC 3339 UTC text with
microseconds. msgspec writes that form (about 5 µs a record) except for floats that hold a
whole number, which ECMAScript prints without ``.0``: those are given as integers. A test holds
the output equal to the reference implementation (the ``rfc8785`` package).
"""

from __future__ import annotations

import hashlib
import math
from datetime import date, datetime, timezone
from typing import Any

import msgspec

_ENCODER = msgspec.json.Encoder(order="sorted")
_IN_ORDER = msgspec.json.Encoder()
_WHOLE_LIMIT = 2.0 ** 53  # integral floats below this print the same as integers in ECMAScript


def canonical(document: Any) -> bytes:
    """The RFC 8785 bytes of ``document`` (dicts, lists, str, int, float, bool, None, datetimes)."""
    return _ENCODER.encode(_normalised(document))


def encode_in_order(document: dict) -> bytes:
    """JSON of a document whose keys (nested too) are already in sorted order and values in plain form.

    The writer's fast path: no sorting, no normalising; the tests hold it equal to :func:`canonical`.
    """
    return _IN_ORDER.encode(document)


def digest(document: Any) -> str:
    """SHA-256 (hex) of the canonical bytes of ``document``."""
    return hashlib.sha256(canonical(document)).hexdigest()


def timestamp(moment: datetime) -> str:
    """A timestamp as canonical text: UTC, microseconds, ``Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _normalised(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _normalised(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_normalised(v) for v in value]
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, datetime):
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _number(value: float) -> float | int | msgspec.Raw:
    if not math.isfinite(value):
        raise ValueError(f"{value} has no canonical JSON form (RFC 8785 allows finite numbers only)")
    if value.is_integer():
        if abs(value) < _WHOLE_LIMIT:
            return int(value)
        import rfc8785  # exponent forms (1e+300) are rare enough to take the reference implementation's time

        return msgspec.Raw(rfc8785.dumps(value))
    return value
