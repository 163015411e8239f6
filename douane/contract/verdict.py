"""``Verdict`` and ``Finding``: the rules engine's answer for one AI call.

Published on ``douane.findings`` by the stream and embedded in an ``AICallEvent``
when the gateway applied it in-line.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from douane.contract.types import LongText, ShortText, Slug, UtcDatetime

VERDICT_SCHEMA = "douane.verdict/1"


class Decision(StrEnum):
    """Whether the transfer may happen."""

    ALLOWED = "allowed"
    ALLOWED_WITH_SAFEGUARD = "allowed_with_safeguard"
    NEEDS_REVIEW = "needs_review"
    UNAUTHORISED = "unauthorised"


class Basis(StrEnum):
    """The Chapter V ground the decision rests on."""

    NOT_A_TRANSFER = "not_a_transfer"
    EEA = "eea"
    ADEQUACY = "adequacy"
    DPF = "dpf"
    SCC = "scc"
    BCR = "bcr"
    DEROGATION_49_1_A = "derogation_49_1_a"
    DEROGATION_49_1_B = "derogation_49_1_b"
    DEROGATION_49_1_C = "derogation_49_1_c"
    DEROGATION_49_1_D = "derogation_49_1_d"
    DEROGATION_49_1_E = "derogation_49_1_e"
    DEROGATION_49_1_F = "derogation_49_1_f"
    DEROGATION_49_1_G = "derogation_49_1_g"
    DEROGATION_49_1_COMPELLING = "derogation_49_1_compelling"
    NONE = "none"


class Severity(StrEnum):
    """How urgent a finding is; ordered from least to most."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """0 for info up to 4 for critical."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = list(Severity)


class Enforcement(StrEnum):
    """What the policy asks the gateway to do with a call."""

    FORWARD = "forward"
    ALERT = "alert"
    REDIRECT = "redirect"
    BLOCK = "block"


class Finding(BaseModel):
    """One rule that fired: what it found, under which articles, and what to do."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    rule_id: Slug
    title: ShortText
    articles: tuple[ShortText, ...] = Field(description='e.g. "GDPR Art. 44", "NIS2 Art. 21(2)(d)"')
    severity: Severity
    explanation: LongText
    remediation: LongText


class Verdict(BaseModel):
    """The decision for one AI call, with the basis and the findings behind it."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    schema_: Literal["douane.verdict/1"] = Field(VERDICT_SCHEMA, alias="schema")
    event_id: UUID
    tenant: Slug
    decided_at: UtcDatetime
    decision: Decision
    basis: Basis
    articles: tuple[ShortText, ...] = ()
    severity: Severity = Severity.INFO
    enforcement: Enforcement = Enforcement.FORWARD
    findings: tuple[Finding, ...] = ()
    rules_version: ShortText = Field("", description="version of the rule data that decided")
    provider: Slug | None = Field(None, description="registry id of the provider; None when unknown")
    destinations: tuple[ShortText, ...] = Field((), description="processing locations and the importer's seat")
