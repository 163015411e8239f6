"""Realistic synthetic shop traffic: the AI calls a WooCommerce or Magento shop makes.

Each generated ``AICallEvent`` is what a tap would declare: destination, detected
categories with counts, and a keyed hash of content that never existed as text here.
Seeded, so the same seed gives the same traffic.
"""

from __future__ import annotations

import hashlib
import hmac
import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from douane.contract import (
    Action,
    AICallEvent,
    AppContext,
    CategoryCount,
    Destination,
    Outcome,
    PersonalData,
    Tap,
    TapKind,
)
from douane.contract.events import ErrorClass
from douane.ids import uuid7


@dataclass(frozen=True)
class Route:
    """A provider endpoint a shop calls, with where it processes and who contracts."""

    host: str
    path: str
    provider: str
    model: str
    processing_country: str | None
    entity_country: str | None


ROUTES = (
    Route("api.openai.com", "/v1/chat/completions", "openai", "gpt-4o-mini", "US", "US"),
    Route("eu.api.openai.com", "/v1/chat/completions", "openai", "gpt-4o-mini", "IE", "IE"),
    Route("api.anthropic.com", "/v1/messages", "anthropic", "claude-sonnet-4-5", "US", "US"),
    Route("api.mistral.ai", "/v1/chat/completions", "mistral", "mistral-small-latest", "FR", "FR"),
    Route("shop-ai.openai.azure.com", "/openai/deployments/gpt4o/chat/completions", "azure-openai",
          "gpt-4o", "SE", "IE"),
    Route("bedrock-runtime.eu-central-1.amazonaws.com", "/model/eu.anthropic.claude-3-haiku/invoke",
          "aws-bedrock", "eu.anthropic.claude-3-haiku", "DE", "LU"),
    Route("api.deepseek.com", "/chat/completions", "deepseek", "deepseek-chat", "CN", "CN"),
    Route("api.unknown-llm.example", "/v1/chat/completions", None, "mystery-1", None, None),
)

FEATURES = {
    "product_discovery": (),
    "support_chat": ("user.contact.email", "user.name", "user.contact.address", "user.contact.phone_number"),
    "checkout": ("user.contact.address", "user.financial.bank_account", "user.contact.email"),
    "pricing": (),
    "content": (),
}
HEALTH = "user.health_and_medical"
PLATFORMS = ("woocommerce", "magento", "shopify")
SUBJECT_COUNTRIES = ("DE", "FR", "NL", "IT", "ES", "AT", "BE", "PL", "SE", "IE")


@dataclass(frozen=True)
class Outage:
    """A provider locking the shop's region out (or failing) between two moments: its calls fail over."""

    provider: str
    start: datetime
    end: datetime
    status: int = 451


class TrafficGenerator:
    """Generates events for a set of shops; ``health_share`` of support chats mention health;
    calls to a provider during one of ``outages`` fail over to the sovereign path."""

    def __init__(self, tenants: tuple[str, ...] = ("shop-berlin", "shop-lyon"), seed: int = 7,
                 start: datetime | None = None, health_share: float = 0.08, hash_key: bytes = b"demo-key",
                 outages: tuple[Outage, ...] = ()) -> None:
        self.tenants = tenants
        self.outages = outages
        self.rng = random.Random(seed)
        self.clock = start or datetime(2026, 11, 2, 8, 0, tzinfo=timezone.utc)
        self.health_share = health_share
        self.hash_key = hash_key

    def events(self, n: int) -> list[AICallEvent]:
        """The next ``n`` events, in time order."""
        return [self.next_event() for _ in range(n)]

    def next_event(self) -> AICallEvent:
        """One call from a random shop feature to a random provider."""
        rng = self.rng
        self.clock += timedelta(milliseconds=rng.randint(50, 4000))
        feature = rng.choice(list(FEATURES))
        route = rng.choices(ROUTES, weights=(30, 10, 15, 12, 10, 8, 4, 1))[0]
        return AICallEvent(
            event_id=uuid7(int(self.clock.timestamp() * 1000)),
            observed_at=self.clock,
            tap=Tap(kind=TapKind.GATEWAY, name="synthetic"),
            tenant=rng.choice(self.tenants),
            app=AppContext(platform=rng.choice(PLATFORMS), feature=feature),
            data_subject_country=rng.choice(SUBJECT_COUNTRIES),
            destination=Destination(host=route.host, path=route.path, provider=route.provider, model=route.model,
                                    processing_country=route.processing_country,
                                    entity_country=route.entity_country),
            personal_data=self._personal_data(feature),
            outcome=self._outcome(route.provider),
        )

    def _outcome(self, provider: str | None) -> Outcome:
        rng = self.rng
        down = next((o for o in self.outages if o.provider == provider and o.start <= self.clock < o.end), None)
        if down is not None:
            error = ErrorClass.LOCKOUT_451 if down.status == 451 else ErrorClass.LOCKOUT_403 \
                if down.status == 403 else ErrorClass.UPSTREAM_5XX
            return Outcome(action=Action.FAILED_OVER, status=200, error_class=error,
                           latency_ms=round(rng.uniform(300, 3000), 1), request_bytes=rng.randint(400, 6000),
                           response_bytes=rng.randint(200, 3000))
        return Outcome(action=Action.FORWARDED, status=200, latency_ms=round(rng.uniform(180, 2400), 1),
                       request_bytes=rng.randint(400, 6000), response_bytes=rng.randint(200, 3000))

    def _personal_data(self, feature: str) -> PersonalData:
        rng = self.rng
        keys = [k for k in FEATURES[feature] if rng.random() < 0.6]
        special = feature == "support_chat" and rng.random() < self.health_share
        if special:
            keys.append(HEALTH)
        counts = tuple(CategoryCount(category=k, count=rng.randint(1, 3), detectors=(k.rsplit(".", 1)[-1],))
                       for k in keys)
        digest = hmac.new(self.hash_key, rng.randbytes(32), hashlib.sha256).hexdigest()
        return PersonalData(categories=counts, special_category=special, content_hash=f"hmac-sha256:demo:{digest}")
