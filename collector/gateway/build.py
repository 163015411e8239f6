"""Assemble a gateway from its config: one rules engine per policy, the outbox, the redirector."""

from __future__ import annotations

from collector.gateway.app import Gateway
from collector.gateway.config import GatewayConfig
from collector.gateway.redirect import Redirector
from collector.outbox import Outbox
from rules.engine import Engine
from rules.policy import load_policy
from rules.registry import load_registry


def build_gateway(config: GatewayConfig, bootstrap: str) -> Gateway:
    """A ready-to-serve gateway publishing to ``bootstrap``; policies are loaded (and checked) here."""
    registry = load_registry()
    by_path: dict[str, Engine] = {}
    engines = {}
    for tenant in config.tenants:
        key = str(tenant.policy)
        if key not in by_path:
            by_path[key] = Engine(registry, load_policy(tenant.policy))
        engines[tenant.id] = by_path[key]
    return Gateway(config, engines, Outbox(bootstrap, config.spool_dir), Redirector(bootstrap))
