"""Settings shared by every component, read from ``DOUANE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from douane.contract.topics import DEFAULT_PARTITIONS


class Settings(BaseSettings):
    """Where state lives and how to reach Kafka. Each field maps to ``DOUANE_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="DOUANE_", extra="ignore")

    home: Path = Field(Path(".douane"), description="state folder: Kafka jars, data, logs, spools")
    kafka_bootstrap: str | None = Field(None, description="host:port of an existing broker; None = the local one")
    kafka_port: int = Field(19092, ge=0, le=65535, description="port of the local broker (0 = any free port)")
    kafka_controller_port: int = Field(19093, ge=0, le=65535)
    kafka_heap: str = Field("512m", pattern=r"^\d+[mg]$", description="JVM heap of the local broker")
    topic_partitions: int = Field(DEFAULT_PARTITIONS, ge=1, le=1024)
    topic_replication: int = Field(1, ge=1, le=7, description="replicas per topic (3 on a three-broker cluster)")
    store: Path | None = Field(None, description="the evidence store (a folder); default <home>/store")
    store_url: str | None = Field(None, pattern=r"^s3://[^/]+", description="the store in an S3-compatible bucket, "
                                  "s3://bucket/prefix (instead of a folder); local copies under <home>")
    s3_endpoint: str | None = Field(None, description="endpoint of the S3-compatible object store (default: AWS's)")
    ledger_key: Path | None = Field(None, description="Ed25519 key that signs ledger entries; default "
                                                      "<home>/keys/ledger.ed25519 (created on first use)")
    ledger_heads: Path | None = Field(None, description="append-only file of published ledger heads; default "
                                                        "<home>/ledger-heads.jsonl")
    ledger_heads_url: str | None = Field(None, pattern=r"^s3://[^/]+", description="also publish ledger heads to this "
                                         "bucket, s3://bucket/prefix (one object per head; keep it write-once)")
    slack_token: SecretStr | None = Field(None, description="Slack bot token (xoxb-...); alerts are off without it")
    slack_signing_secret: SecretStr | None = Field(None, description="verifies Slack's Acknowledge requests")
    slack_base_url: str | None = Field(None, description="only to point the Slack client at a stand-in")
    content_key: SecretStr | None = Field(None, description="the gateway's HMAC key of content hashes, "
                                          "when its config file names none")
    slack_app_token: SecretStr | None = Field(None, description="app-level token (xapp-...): Socket Mode")

    @field_validator("slack_token", "slack_signing_secret", "slack_base_url", "slack_app_token", "kafka_bootstrap",
                     "store_url", "s3_endpoint", "ledger_heads_url",
                     mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def store_path(self) -> Path:
        """The folder of Article 30 records and evidence (Parquet segments and the ledger)."""
        return self.store or self.home / "store"

    @property
    def store_location(self) -> Path | str:
        """Where the store is: the bucket URL when ``DOUANE_STORE_URL`` is set, else the folder."""
        return self.store_url or self.store_path

    @property
    def ledger_key_path(self) -> Path:
        """The ledger's signing key: outside the store, never in it."""
        return self.ledger_key or self.home / "keys" / "ledger.ed25519"

    @property
    def ledger_heads_path(self) -> Path:
        """The append-only file the sinks publish ledger heads to (outside the store)."""
        return self.ledger_heads or self.home / "ledger-heads.jsonl"

    @property
    def kafka_home(self) -> Path:
        """State of the local broker: ``libs/``, ``data/``, ``logs/``."""
        return self.home / "kafka"
