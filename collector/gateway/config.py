"""The gateway's settings: tenants and their keys, registered upstreams, limits. Read from YAML."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, model_validator

from douane.contract.types import Slug


class TenantKey(BaseModel):
    """A tenant, the SHA-256 of its Douane key (never the key), and the policy that governs it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    policy: Path


class DirectEndpoint(BaseModel):
    """An in-jurisdiction OpenAI-compatible endpoint the gateway calls when the redirect topic cannot answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_url: str = Field(pattern=r"^https?://[^\s/]+(/[^\s]*)?$")
    model: str = Field(min_length=1, max_length=200)
    api_key: SecretStr | None = None


DEV_CONTENT_KEY = "douane-dev-key"


class GatewayConfig(BaseModel):
    """Everything ``douane gateway serve`` needs besides the Kafka address."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tenants: tuple[TenantKey, ...]
    upstreams: dict[str, str] = Field(default_factory=dict,
                                      description="host -> base URL override (a sovereign mirror, a test server)")
    allow_hosts: tuple[str, ...] = Field((), description="private or IP-literal hosts registered as upstreams")
    max_body_bytes: int = Field(2 * 1024 * 1024, ge=1024)
    max_header_bytes: int = Field(32 * 1024, ge=1024)
    upstream_timeout_s: float = Field(60.0, gt=0)
    redirect_timeout_s: float = Field(20.0, gt=0)
    content_key: SecretStr = Field(SecretStr(DEV_CONTENT_KEY), description="HMAC key of content hashes "
                                   "(the built-in one is refused unless the gateway is started with --dev)")
    content_key_id: Slug = "k1"
    breaker_failures: int = Field(3, ge=1, description="upstream failures in a row before failing over")
    breaker_reset_s: float = Field(30.0, gt=0)
    spool_dir: Path = Path(".douane/spool")
    direct_redirect: DirectEndpoint | None = None
    body_timeout_s: float = Field(30.0, gt=0, description="the whole body must arrive within this")
    header_timeout_s: float = Field(10.0, gt=0, description="a request's headers must arrive within this")
    stream_timeout_s: float = Field(600.0, gt=0, description="a relayed answer is cut after this")
    scan_timeout_s: float = Field(2.0, gt=0, description="detection budget per request (time)")
    scan_max_chars: int = Field(200_000, ge=1000, description="detection budget per request (characters)")
    scan_inline_chars: int = Field(4096, ge=0, description="shorter prompts are scanned without a worker")
    scan_workers: int = Field(2, ge=1, le=64, description="detection processes for longer prompts")

    @model_validator(mode="after")
    def _keys_name_one_tenant_and_one_policy(self) -> GatewayConfig:
        """A key rotates by listing its tenant twice (old and new key, one policy) until the apps have
        the new key; a key shared by two tenants, or one tenant under two policies, is refused."""
        owners: dict[str, str] = {}
        policies: dict[str, Path] = {}
        for tenant in self.tenants:
            other = owners.setdefault(tenant.key_sha256, tenant.id)
            if other != tenant.id:
                raise ValueError(f"tenants {other!r} and {tenant.id!r} have the same key: give each tenant its own")
            if policies.setdefault(tenant.id, tenant.policy) != tenant.policy:
                raise ValueError(f"tenant {tenant.id!r} is listed with two policies ({policies[tenant.id]} and "
                                 f"{tenant.policy}): list a tenant twice only to rotate its key, with one policy")
        return self


def hash_key(key: str) -> str:
    """The stored form of a tenant's Douane key."""
    return hashlib.sha256(key.encode()).hexdigest()


def load_gateway_config(path: Path) -> GatewayConfig:
    """Read and validate ``path``; policy paths are relative to it. Errors name the file and field."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(raw, dict):
            raise TypeError("expected a mapping with 'tenants' at the top level")
        for tenant in raw.get("tenants", []):
            tenant["policy"] = str((path.parent / tenant["policy"]).resolve())
        _content_key_from_environment(raw)
        return GatewayConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def _content_key_from_environment(raw: dict) -> None:
    """``DOUANE_CONTENT_KEY`` (a Kubernetes Secret, a compose .env) when the file names no key of its own:
    the key stays out of a config file that is mounted from a ConfigMap."""
    from douane.settings import Settings

    key = Settings().content_key
    if key is not None and "content_key" not in raw:
        raw["content_key"] = key.get_secret_value()
