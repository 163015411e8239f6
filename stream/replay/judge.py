"""What the rules said about a call, reduced to what a replay compares: decision, basis, enforcement, rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from douane.contract import Severity

FLAG_RANK = Severity.LOW.rank
"""A finding of this severity or above "flags" a call: the threshold the stream publishes to douane.findings."""


@dataclass(frozen=True)
class Judgement:
    """One verdict as replay compares it; ``flagged`` holds the rule ids at or above :data:`FLAG_RANK`."""

    decision: str
    basis: str
    enforcement: str
    flagged: frozenset[str]

    @classmethod
    def of(cls, verdict) -> "Judgement":
        """From a ``Verdict`` (or its fast view)."""
        rules = frozenset(f.rule_id for f in verdict.findings if Severity(f.severity).rank >= FLAG_RANK)
        return cls(_text(verdict.decision), _text(verdict.basis), _text(verdict.enforcement), rules)


@dataclass(frozen=True)
class Replayed:
    """One call of the window: what it was, what was recorded then, what the given rules say now.

    ``then`` is None when no verdict was recorded for the call; ``now`` is None when no given
    policy governs its tenant.
    """

    event_id: str
    observed_at: datetime
    tenant: str
    provider: str | None
    action: str
    error_class: str | None
    then: Judgement | None
    now: Judgement | None


def _text(value) -> str:
    return getattr(value, "value", value)
