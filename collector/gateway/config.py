"""The gateway's settings: tenants and their keys, registered upstreams, limits. Read from YAML."""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from douane.contract.types import Slug


class TenantKey(BaseModel):
    """A tenant, the SHA-256 of its Douane key (never the key), and the policy that governs it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Slug
    key_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    policy: Path


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
    content_key: SecretStr = Field(SecretStr("douane-dev-key"), description="HMAC key of content hashes")
    content_key_id: Slug = "k1"
    breaker_failures: int = Field(3, ge=1, description="upstream failures in a row before failing over")
    breaker_reset_s: float = Field(30.0, gt=0)
    spool_dir: Path = Path(".douane/spool")


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
        return GatewayConfig.model_validate(raw)
    except (OSError, yaml.YAMLError, KeyError, TypeError, AttributeError, ValidationError) as exc:
        raise ValueError(f"{path}: {exc}") from None
