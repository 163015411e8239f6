"""A fast reader for ``AICallEvent``: the same contract, checked by msgspec, for the stream's hot path.

pydantic defines the contract and stays the judge of it. Validating one event with it
costs about 20 µs, which alone caps a stream worker near 50,000 events/s of one core;
msgspec checks the same fields in a few µs, the patterns of the fields that repeat from call to
call (tenant, host, app...) once per distinct combination (``_Routes``). The structs below mirror the wire models
field for field, with the same patterns and bounds (named once in ``types.py``), but
accept only the *canonical* form our producers write: lower-case hosts, upper-case
country codes, UTC timestamps with at most microseconds, the schema field by its wire
name. Anything else -- a lower-case country, an offset timestamp, a number where pydantic
would coerce a string, or plain garbage -- is handed to pydantic, which accepts and
normalises it or refuses it with the reason. So the fast path is never looser than the
contract, and what it returns has the same fields, types and values as the model
(``tests/douane/test_fast_decode.py`` holds the two to that with hypothesis).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec.structs import force_setattr

from douane.contract.codec import MAX_EVENT_BYTES, decode_event
from douane.contract.events import (
    AI_CALL_SCHEMA,
    Action,
    AICallEvent,
    ErrorClass,
    HintSource,
    RedirectRoute,
    ScanState,
    TapKind,
)
from douane.contract.types import (
    COUNTRY_PATTERN,
    DATA_CATEGORY_MAX,
    DATA_CATEGORY_PATTERN,
    HOST_PATTERN,
    KEYED_HASH_PATTERN,
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    SLUG_PATTERN,
    URL_PATH_PATTERN,
)
from douane.contract.verdict import VERDICT_SCHEMA, Basis, Decision, Enforcement, Severity


def _whole(pattern: str) -> str:
    """The pattern with ``$`` as end of text: Python's ``$`` also matches before a final newline."""
    return pattern.removesuffix("$") + r"\Z"


Slug = Annotated[str, msgspec.Meta(pattern=_whole(SLUG_PATTERN))]
Country = Annotated[str, msgspec.Meta(pattern=_whole(COUNTRY_PATTERN.replace("A-Za-z", "A-Z")))]
Host = Annotated[str, msgspec.Meta(pattern=_whole(HOST_PATTERN.replace("A-Za-z", "a-z")))]
UrlPath = Annotated[str, msgspec.Meta(pattern=_whole(URL_PATH_PATTERN))]
Category = Annotated[str, msgspec.Meta(pattern=_whole(DATA_CATEGORY_PATTERN), max_length=DATA_CATEGORY_MAX)]
KeyedHash = Annotated[str, msgspec.Meta(pattern=_whole(KEYED_HASH_PATTERN))]
ShortText = Annotated[str, msgspec.Meta(max_length=SHORT_TEXT_MAX)]
LongText = Annotated[str, msgspec.Meta(max_length=LONG_TEXT_MAX)]
NonNegInt = Annotated[int, msgspec.Meta(ge=0)]
NonNegFloat = Annotated[float, msgspec.Meta(ge=0)]
Status = Annotated[int, msgspec.Meta(ge=100, le=599)]
UtcText = Annotated[str, msgspec.Meta(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?Z\Z")]
"""Only ``...Z`` with up to six fraction digits: msgspec's own datetime rounds a seventh digit, pydantic cuts it."""


def _utc(struct: msgspec.Struct, field: str) -> None:
    """Replace the UTC text in ``field`` by its datetime (an impossible date raises: pydantic decides)."""
    force_setattr(struct, field, datetime.fromisoformat(getattr(struct, field)))


_V7_MASK = (0xF << 76) | (0x3 << 62)
_V7_BITS = (7 << 76) | (0b10 << 62)
_UNSET = msgspec.UNSET
_from_iso = datetime.fromisoformat


def _by_wire_name_only(struct: msgspec.Struct) -> None:
    """pydantic also takes the schema field by its Python name; such input goes to pydantic."""
    if struct.schema_by_name is not msgspec.UNSET:
        raise ValueError("schema given by its Python name")


class _View(msgspec.Struct, frozen=True, gc=False):
    """Base of the mirrors: immutable, unknown fields ignored (as ``extra="ignore"`` does)."""


class FindingView(_View):
    """Mirror of ``Finding``."""

    rule_id: Slug
    title: ShortText
    articles: tuple[ShortText, ...]
    severity: Severity
    explanation: LongText
    remediation: LongText


class VerdictView(_View):
    """Mirror of ``Verdict`` (as the gateway embeds it in an event)."""

    event_id: UUID
    tenant: Slug
    decided_at: UtcText
    decision: Decision
    basis: Basis
    schema_: Literal["douane.verdict/1"] = msgspec.field(default=VERDICT_SCHEMA, name="schema")
    articles: tuple[ShortText, ...] = ()
    severity: Severity = Severity.INFO
    enforcement: Enforcement = Enforcement.FORWARD
    findings: tuple[FindingView, ...] = ()
    rules_version: ShortText = ""
    provider: Slug | None = None
    destinations: tuple[ShortText, ...] = ()
    schema_by_name: Any = msgspec.field(default=msgspec.UNSET, name="schema_")

    def __post_init__(self) -> None:
        _by_wire_name_only(self)
        _utc(self, "decided_at")


class TapView(_View):
    """Mirror of ``Tap``."""

    kind: TapKind
    name: str  # a slug: checked with the route (see _ROUTES)


class AppView(_View):
    """Mirror of ``AppContext``."""

    platform: str  # slugs: checked with the route
    feature: str
    name: ShortText | None = None


class RegionHintView(_View):
    """Mirror of ``RegionHint``."""

    source: HintSource
    key: ShortText
    value: ShortText


class DestinationView(_View):
    """Mirror of ``Destination``."""

    host: str  # host, path, provider and countries: checked with the route
    path: str = "/"
    provider: str | None = None
    model: ShortText | None = None
    region_hints: tuple[RegionHintView, ...] = ()
    processing_country: str | None = None
    entity_country: str | None = None


class CategoryCountView(_View):
    """Mirror of ``CategoryCount``."""

    category: Annotated[str, msgspec.Meta(max_length=DATA_CATEGORY_MAX)]  # its pattern: checked with the route
    count: NonNegInt
    detectors: tuple[str, ...] = ()  # slugs: checked with the route


class PersonalDataView(_View):
    """Mirror of ``PersonalData``."""

    categories: tuple[CategoryCountView, ...] = ()
    special_category: bool = False
    content_hash: KeyedHash | None = None
    scan: ScanState = ScanState.COMPLETE

    @property
    def category_keys(self) -> frozenset[str]:
        """The detected category keys as a set."""
        return frozenset(c.category for c in self.categories)


class OutcomeView(_View):
    """Mirror of ``Outcome``."""

    action: Action
    status: Status | None = None
    latency_ms: NonNegFloat | None = None
    request_bytes: NonNegInt | None = None
    response_bytes: NonNegInt | None = None
    prompt_tokens: NonNegInt | None = None
    completion_tokens: NonNegInt | None = None
    error_class: ErrorClass | None = None
    verdict: VerdictView | None = None
    redirect_route: RedirectRoute | None = None


_NO_PERSONAL_DATA = PersonalDataView()


class EventView(_View):
    """Mirror of ``AICallEvent``: read it like the model (same attribute names, types and values)."""

    event_id: UUID
    observed_at: UtcText
    tap: TapView
    tenant: str  # a slug, checked with the route, as is the country below
    app: AppView
    destination: DestinationView
    outcome: OutcomeView
    schema_: Literal["douane.ai_call/1"] = msgspec.field(default=AI_CALL_SCHEMA, name="schema")
    data_subject_country: str | None = None
    personal_data: PersonalDataView = _NO_PERSONAL_DATA
    consent_ref: ShortText | None = None
    subject_ref: KeyedHash | None = None
    schema_by_name: Any = msgspec.field(default=msgspec.UNSET, name="schema_")

    def __post_init__(self) -> None:
        """The checks msgspec cannot express, inline: every call goes through them (the hot path)."""
        if self.schema_by_name is not _UNSET:
            raise ValueError("schema given by its Python name")
        bits = self.event_id.int  # UUIDv7: version 7, RFC 4122 variant (``.version`` costs a microsecond)
        if bits & _V7_MASK != _V7_BITS:
            raise ValueError("event_id must be a UUIDv7")
        force_setattr(self, "observed_at", _from_iso(self.observed_at))
        _check_routes(self)


class _Routes:
    """The patterns of the fields that repeat from call to call, checked once per distinct combination.

    msgspec runs a field's pattern (Python's ``re``) on every value: ~14 µs of the ~22 µs a decode took.
    The tenant, tap, app, host, path, provider, countries and categories of one shop's calls take few
    distinct values together, so an event whose combination passed before needs one set lookup; a new
    one is checked field by field with the same patterns msgspec would have used (bounded memory).
    """

    LIMIT = 65_536

    def __init__(self) -> None:
        self._passed: set[tuple] = set()
        slug, country = re.compile(_whole(SLUG_PATTERN)).search, re.compile(Country.__metadata__[0].pattern).search
        self._searches = (slug, slug, slug, slug, re.compile(Host.__metadata__[0].pattern).search,
                          re.compile(_whole(URL_PATH_PATTERN)).search, slug, country, country, country)
        self._slug, self._category = slug, re.compile(_whole(DATA_CATEGORY_PATTERN)).search

    def check(self, event: EventView) -> None:
        """Raise ValueError when a field breaks its pattern (the event then goes to pydantic)."""
        app, dest, categories = event.app, event.destination, event.personal_data.categories
        key = (event.tenant, event.tap.name, app.platform, app.feature, dest.host, dest.path, dest.provider,
               dest.processing_country, dest.entity_country, event.data_subject_country,
               tuple([(c.category, c.detectors) for c in categories]) if categories else ())
        if key not in self._passed:
            self._check(key)

    def _check(self, key: tuple) -> None:
        for value, search in zip(key, self._searches):
            if value is not None and search(value) is None:
                raise ValueError("a field breaks its pattern")
        for category, detectors in key[-1]:
            if self._category(category) is None or any(self._slug(d) is None for d in detectors):
                raise ValueError("a category or detector breaks its pattern")
        if len(self._passed) >= self.LIMIT:
            self._passed.clear()
        self._passed.add(key)


_ROUTES = _Routes()
_check_routes = _ROUTES.check
_DECODER = msgspec.json.Decoder(EventView)

def read_event(data: bytes | None) -> EventView | AICallEvent:
    """The event in ``data``: a fast :class:`EventView` when the bytes are canonical, else pydantic's model.

    Raises :class:`~douane.contract.DecodeError` (from pydantic) when the bytes break the contract.
    """
    if data is not None and len(data) <= MAX_EVENT_BYTES:
        try:
            if not data.isascii():
                data.decode()  # msgspec skips unknown keys without checking their UTF-8; pydantic refuses them
            return _DECODER.decode(data)
        except (msgspec.ValidationError, msgspec.DecodeError, ValueError):
            pass  # not canonical, or not valid: pydantic normalises it or says what is wrong
    return decode_event(data)


def to_model(event: EventView | AICallEvent) -> AICallEvent:
    """The pydantic model of an event :func:`read_event` returned, for code that needs the model's methods."""
    if isinstance(event, AICallEvent):
        return event
    return AICallEvent.model_validate(event, from_attributes=True)
