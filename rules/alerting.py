"""The policy's alerting settings beyond Slack routing: the incident life cycle and alert outputs."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from douane.contract import Severity
from rules.types import NonEmpty, Slug, Strict, require_unique


class AlertOutput(Strict):
    """One place alerts go besides Slack's channels: which kind, where, and which severities."""

    name: Slug
    kind: Literal["slack", "webhook"]
    url: NonEmpty | None = Field(None, description="webhook: the HTTPS endpoint that receives the JSON")
    secret_env: NonEmpty | None = Field(None, description="webhook: environment variable holding the HMAC key")
    severities: tuple[Severity, ...] = Field((), description="only these severities (empty: every alerting one)")

    @model_validator(mode="after")
    def _webhook_needs_url_and_key(self) -> "AlertOutput":
        if self.kind == "webhook" and (self.url is None or self.secret_env is None):
            raise ValueError(f"output {self.name!r}: a webhook needs 'url' and 'secret_env' (the variable that "
                             "holds its signing key; the key itself never goes in the policy)")
        return self

    def takes(self, severity: Severity) -> bool:
        """Whether an incident of ``severity`` goes to this output."""
        return not self.severities or severity in self.severities


class Alerting(Strict):
    """When an incident resolves itself, and the alert outputs with their severity routing."""

    resolve_after_minutes: int | None = Field(
        None, ge=1, description="resolve an incident after this long without a new occurrence (never NIS2 ones)")
    outputs: tuple[AlertOutput, ...] = ()

    @model_validator(mode="after")
    def _unique_names(self) -> "Alerting":
        require_unique("alert output", [o.name for o in self.outputs])
        return self
