"""``AICallEvent``: one audit record per AI call, as it travels on ``douane.ai-calls``.

The event carries metadata only: where the call went, which categories of personal
data it held (counts and detector names) and a keyed hash of the content. It never
carries prompt or completion text. Unknown fields are dropped on parse, so a newer
producer's optional additions cannot break an older consumer, and text smuggled in an
extra field is never stored.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator

from douane.contract.types import (
    CountryCode,
    DataCategory,
    Host,
    KeyedHash,
    NonNegFloat,
    NonNegInt,
    ShortText,
    Slug,
    UrlPath,
    UtcDatetime,
)
from douane.contract.verdict import Verdict

AI_CALL_SCHEMA = "douane.ai_call/1"


class WireModel(BaseModel):
    """Base of every wire model: immutable, unknown fields ignored, enums as values."""

    model_config = ConfigDict(frozen=True, extra="ignore", use_enum_values=False)


class TapKind(StrEnum):
    """How the call was observed."""

    GATEWAY = "gateway"
    SDK = "sdk"
    OTEL = "otel"
    LOG = "log"


class Action(StrEnum):
    """What happened to the call."""

    FORWARDED = "forwarded"
    REDIRECTED = "redirected"
    BLOCKED = "blocked"
    FAILED_OVER = "failed_over"


class ErrorClass(StrEnum):
    """Why an upstream call failed, in classes that incident rules can count."""

    LOCKOUT_403 = "lockout_403"
    LOCKOUT_451 = "lockout_451"
    TIMEOUT = "timeout"
    UPSTREAM_5XX = "upstream_5xx"
    RATE_LIMITED = "rate_limited_429"
    CONNECTION = "connection_error"
    CLIENT_4XX = "client_4xx"
    INTERNAL = "internal_error"


class ScanState(StrEnum):
    """How much of the call's content personal-data detection saw.

    ``not_observed``: the tap never saw the content (an OTel span exported without message
    content); ``budget_exceeded``: detection stopped at the gateway's size or time budget.
    Neither may be read as "no personal data": the rules judge such a call from the
    activity's declared categories.
    """

    COMPLETE = "complete"
    NOT_OBSERVED = "not_observed"
    BUDGET_EXCEEDED = "budget_exceeded"


class RedirectRoute(StrEnum):
    """How a redirected call reached the sovereign model."""

    TOPIC = "topic"
    DIRECT = "direct"
    STATIC = "static"


class HintSource(StrEnum):
    """Where in the request a region hint was read."""

    HOST = "host"
    MODEL_PREFIX = "model_prefix"
    HEADER = "header"
    BODY_FIELD = "body_field"
    PATH = "path"
    CONFIG = "config"


class Tap(WireModel):
    """The tap that declared the call: its kind and its instance name."""

    kind: TapKind
    name: Slug


class AppContext(WireModel):
    """The shop application and the feature that made the call."""

    platform: Slug = Field(description="woocommerce, magento, shopify, custom, ...")
    feature: Slug = Field(description="product_discovery, support_chat, checkout, pricing, content, ...")
    name: ShortText | None = None


class RegionHint(WireModel):
    """One clue about the processing region, and where it came from."""

    source: HintSource
    key: ShortText = Field(description="header or body field name, or the host itself")
    value: ShortText


class Destination(WireModel):
    """Where the call went, as read from the request and resolved against the registry."""

    host: Host
    path: UrlPath = "/"
    provider: Slug | None = Field(None, description="provider id from the registry; None when unknown")
    model: ShortText | None = None
    region_hints: tuple[RegionHint, ...] = ()
    processing_country: CountryCode | None = Field(None, description="where the data is processed")
    entity_country: CountryCode | None = Field(None, description="seat of the provider's contracting entity")


class CategoryCount(WireModel):
    """How often one personal-data category was detected, and by which detectors."""

    category: DataCategory
    count: NonNegInt
    detectors: tuple[Slug, ...] = ()


class PersonalData(WireModel):
    """What personal data the request carried: categories and counts, never values."""

    categories: tuple[CategoryCount, ...] = ()
    special_category: bool = Field(False, description="Art. 9 data detected")
    content_hash: KeyedHash | None = None
    scan: ScanState = Field(ScanState.COMPLETE, description="how much of the content detection saw")

    @property
    def category_keys(self) -> frozenset[str]:
        """The detected category keys as a set."""
        return frozenset(c.category for c in self.categories)


class Outcome(WireModel):
    """How the call ended."""

    action: Action
    status: int | None = Field(None, ge=100, le=599)
    latency_ms: NonNegFloat | None = None
    request_bytes: NonNegInt | None = None
    response_bytes: NonNegInt | None = None
    prompt_tokens: NonNegInt | None = None
    completion_tokens: NonNegInt | None = None
    error_class: ErrorClass | None = None
    verdict: Verdict | None = Field(None, description="the verdict the gateway applied in-line, if any")
    redirect_route: RedirectRoute | None = Field(
        None, description="for a redirected call: via douane.redirect, a direct sovereign endpoint, or the static answer"
    )


class AICallEvent(WireModel):
    """One AI call, declared by a tap. Key on Kafka: the tenant id."""

    schema_: Literal["douane.ai_call/1"] = Field(AI_CALL_SCHEMA, alias="schema")
    event_id: UUID = Field(description="UUIDv7")
    observed_at: UtcDatetime
    tap: Tap
    tenant: Slug = Field(description="the controller (shop) the call belongs to")
    app: AppContext
    data_subject_country: CountryCode | None = None
    destination: Destination
    personal_data: PersonalData = PersonalData()
    outcome: Outcome
    consent_ref: ShortText | None = Field(
        None, description="the app's reference to the data subject's explicit consent (Art. 49(1)(a)); never an identity"
    )
    subject_ref: KeyedHash | None = Field(
        None, description="a keyed hash of the app's id of the data subject, so an Art. 17 request can erase the "
                          "subject's calls from the evidence store; never the id itself"
    )

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    @field_validator("event_id")
    @classmethod
    def _must_be_v7(cls, value: UUID) -> UUID:
        if value.version != 7:
            raise ValueError("event_id must be a UUIDv7")
        return value
