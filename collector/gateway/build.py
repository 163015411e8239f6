"""Assemble a gateway from its config: one rules engine per policy, the outbox, the redirector."""

from __future__ import annotations

from collector.gateway.app import Gateway
from collector.gateway.config import DEV_CONTENT_KEY, GatewayConfig
from collector.gateway.redirect import Redirector
from collector.outbox import Outbox
from rules.engine import Engine
from rules.policy import load_policy
from rules.registry import load_registry


class DevKeyRefused(ValueError):
    """The config keeps the built-in content key and the gateway was not started with ``--dev``."""


def build_gateway(config: GatewayConfig, bootstrap: str, *, dev: bool = False) -> Gateway:
    """A ready-to-serve gateway publishing to ``bootstrap``; policies are loaded (and checked) here.

    The content key keys every content hash; the built-in one is public, so it is refused unless
    ``dev`` (``douane gateway serve --dev``: tests, demos).
    """
    check_content_key(config, dev)
    registry = load_registry()
    by_path: dict[str, Engine] = {}
    engines = {}
    for tenant in config.tenants:
        key = str(tenant.policy)
        if key not in by_path:
            by_path[key] = Engine(registry, load_policy(tenant.policy))
        engines[tenant.id] = by_path[key]
    outbox = Outbox(bootstrap, config.spool_dir)
    return Gateway(config, engines, outbox, Redirector(bootstrap, config.direct_redirect))


def check_content_key(config: GatewayConfig, dev: bool) -> None:
    """Refuse the public built-in content key outside development."""
    if config.content_key.get_secret_value() == DEV_CONTENT_KEY and not dev:
        raise DevKeyRefused("the gateway config has no content_key of its own (the built-in development key is "
                            "public, so content hashes could be reversed by guessing): set content_key in the config or "
                            "DOUANE_CONTENT_KEY, or start with --dev for a test or a demo")
