"""Decide, for one raw record, whether it is a valid event or a dead letter."""

from __future__ import annotations

from douane.contract import AICallEvent, DecodeError
from douane.contract.deadletter import DeadLetter, Origin
from douane.contract.fast import EventView, read_event


def triage(key: bytes | None, value: bytes | None, origin: Origin) -> AICallEvent | EventView | DeadLetter:
    """Parse the record (fast when canonical); undecodable input becomes a :class:`DeadLetter` with the reason."""
    try:
        return read_event(value)
    except DecodeError as exc:
        return DeadLetter(key, value, exc.reason, "decode", origin)


def stage_failure(raw, stage: str, exc: Exception) -> DeadLetter:
    """A valid event a stage could not process: dead-lettered with the stage and the error class."""
    reason = f"{stage} failed: {type(exc).__name__}: {exc}"[:500]
    return DeadLetter(raw.key, raw.value, reason, stage, raw.origin)
