"""Declaring a call, whoever tapped it: its text (for detection only), its personal data, its event."""

from __future__ import annotations

import hashlib
from datetime import datetime, timezone
from functools import lru_cache
from uuid import UUID

from collector.detect import Hit, scan
from collector.detect.extract import request_text  # noqa: F401 - the taps and the gateway import it from here
from collector.provider import Api
from douane.contract import (
    AICallEvent,
    AppContext,
    CategoryCount,
    Destination,
    Outcome,
    PersonalData,
    RegionHint,
    Tap,
)
from douane.contract.events import Action, HintSource, TapKind
from douane.ids import uuid7

HEALTH = "user.health_and_medical"


def personal_data(text: str, key: bytes, key_id: str) -> PersonalData:
    """Detected categories with counts and detectors, and a keyed hash of the text; no values."""
    categories, special = _categories(scan(text))
    return PersonalData(categories=categories, special_category=special, content_hash=content_hash(text, key, key_id))


@lru_cache(maxsize=4096)
def _categories(hits: tuple[Hit, ...]) -> tuple[tuple[CategoryCount, ...], bool]:
    """The hits summed per category (sorted), and whether one is Art. 9 data; made once per set of hits: the same
    few recur on every call and ``CategoryCount`` is immutable, so calls share them (~2 µs a call less)."""
    by_category: dict[str, tuple[int, list[str]]] = {}
    for hit in hits:
        count, names = by_category.get(hit.category, (0, []))
        by_category[hit.category] = (count + hit.count, [*names, hit.detector])
    categories = tuple(CategoryCount(category=category, count=count, detectors=tuple(names))
                       for category, (count, names) in sorted(by_category.items()))
    return categories, HEALTH in by_category


def content_hash(text: str, key: bytes, key_id: str) -> str:
    """The keyed hash of ``text`` an event carries (``hmac-sha256:<key id>:<hex>``)."""
    inner, outer = _hmac_keyed(key)
    inner, outer = inner.copy(), outer.copy()
    inner.update(text.encode())
    outer.update(inner.digest())
    return f"hmac-sha256:{key_id}:{outer.hexdigest()}"


SHA256_BLOCK = 64


@lru_cache(maxsize=16)
def _hmac_keyed(key: bytes) -> tuple:
    """HMAC-SHA256 (RFC 2104) of a key, up to the text: SHA-256 states with the key's inner and outer blocks hashed.
    A call copies them and hashes its text; ``hmac.digest`` keys both on every call (2 µs of a 2 KB prompt's 5)."""
    if len(key) > SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    block = key.ljust(SHA256_BLOCK, b"\0")
    return hashlib.sha256(bytes(b ^ 0x36 for b in block)), hashlib.sha256(bytes(b ^ 0x5C for b in block))


def region_hints(host: str, api: Api, body: dict) -> tuple[RegionHint, ...]:
    """Region clues the resolver reads: the host itself, Anthropic's inference_geo, Bedrock-style prefixes."""
    hints = [RegionHint(source=HintSource.HOST, key="host", value=host)]
    geo = body.get("inference_geo") if api is Api.ANTHROPIC_MESSAGES else None
    if isinstance(geo, str):
        hints.append(RegionHint(source=HintSource.BODY_FIELD, key="inference_geo", value=geo[:200]))
    return tuple(hints)


GATEWAY_TAP = Tap(kind=TapKind.GATEWAY, name="gateway")


def app_context(headers) -> AppContext:
    """The shop platform and feature a caller names in ``X-Douane-Platform`` / ``X-Douane-Feature``."""
    return AppContext(platform=_slug(headers.get("x-douane-platform"), "custom"),
                      feature=_slug(headers.get("x-douane-feature"), "unspecified"))


CONSENT_HEADER = "x-douane-consent"
"""An app's reference to the data subject's explicit consent to this transfer (Art. 49(1)(a)): an id in the
app's consent records, never the person's identity. The rules judge 49(1)(a) only with it."""


def consent_ref(headers) -> str | None:
    """The consent reference a request carries, or None; ValueError names a malformed one."""
    value = headers.get(CONSENT_HEADER)
    if value is None:
        return None
    value = value.strip()
    if not 0 < len(value) <= 200 or not value.isascii() or not value.isprintable():
        raise ValueError("X-Douane-Consent must be 1-200 printable ASCII characters: a consent record id")
    return value


def draft_event(tenant: str, host: str, path: str, body: dict, api: Api, data: PersonalData, *,
                app: AppContext, tap: Tap = GATEWAY_TAP, event_id: UUID | None = None,
                observed_at: datetime | None = None, consent: str | None = None) -> AICallEvent:
    """The event before the outcome is known (the rules engine judges this)."""
    model = body.get("model") if isinstance(body.get("model"), str) else None
    return AICallEvent(
        event_id=event_id or uuid7(), observed_at=observed_at or datetime.now(timezone.utc), tap=tap,
        tenant=tenant, app=app,
        destination=Destination(host=host, path=path, model=(model or "")[:200] or None,
                                region_hints=region_hints(host, api, body)),
        personal_data=data, outcome=Outcome(action=Action.FORWARDED), consent_ref=consent)


def _slug(value: str | None, default: str) -> str:
    value = (value or "").strip().lower()
    ok = value and len(value) <= 64 and all(ch.isalnum() or ch in "_.-" for ch in value) and value[0].isalnum()
    return value if ok else default
