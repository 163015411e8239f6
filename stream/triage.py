"""Decide, for one raw record, whether it is a valid event or a dead letter."""

from __future__ import annotations

from douane.contract import AICallEvent, DecodeError
from douane.contract.deadletter import DeadLetter, Origin
from douane.contract.fast import EventView, read_event


def triage(raw) -> AICallEvent | EventView | DeadLetter:
    """Parse the record (a :class:`~stream.pipeline.Raw`; fast when canonical); undecodable input becomes a
    :class:`DeadLetter` with the reason."""
    try:
        return read_event(raw.value)
    except DecodeError as exc:
        return DeadLetter(raw.key, raw.value, exc.reason, "decode", origin_of(raw))


def stage_failure(raw, stage: str, exc: Exception) -> DeadLetter:
    """A valid event a stage could not process: dead-lettered with the stage and the error class."""
    reason = f"{stage} failed: {type(exc).__name__}: {exc}"[:500]
    return DeadLetter(raw.key, raw.value, reason, stage, origin_of(raw))


def origin_of(raw) -> Origin:
    """Where ``raw`` was read, as a dead letter names it (its origin may be the consumer record itself)."""
    origin = raw.origin
    return origin if isinstance(origin, Origin) else Origin(origin.topic, origin.partition, origin.offset)
