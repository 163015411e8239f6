"""Tenant keys: a key rotates by listing its tenant twice (old and new key) under one policy; a key
two tenants share, or a tenant under two policies, is refused with a message naming them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from collector.gateway.build import build_gateway
from collector.gateway.config import GatewayConfig, TenantKey, hash_key
from tests.collector.conftest import EXAMPLES, TENANT_KEY, gateway_config, serve, shut
from deploy.standins.llm import LLMStandIn

POLICY = EXAMPLES / "woocommerce-shop.policy.yaml"
NEW_KEY = "dk-shop-berlin-rotated-2026-12"


def tenants(*entries: tuple[str, str, Path]) -> list[TenantKey]:
    return [TenantKey(id=tenant, key_sha256=hash_key(key), policy=policy) for tenant, key, policy in entries]


def test_a_key_two_tenants_share_is_refused() -> None:
    with pytest.raises(ValueError, match="'shop-berlin' and 'shop-lyon' have the same key"):
        GatewayConfig(tenants=tenants(("shop-berlin", "k", POLICY), ("shop-lyon", "k", POLICY)))


def test_a_tenant_under_two_policies_is_refused() -> None:
    other = EXAMPLES / "magento-health-shop.policy.yaml"
    with pytest.raises(ValueError, match="'shop-berlin' is listed with two policies"):
        GatewayConfig(tenants=tenants(("shop-berlin", "a", POLICY), ("shop-berlin", "b", other)))


@pytest.mark.kafka
def test_during_a_rotation_the_old_and_the_new_key_both_reach_the_tenant(kafka_bootstrap: str,
                                                                       tmp_path: Path) -> None:
    upstream = LLMStandIn().start()
    config = gateway_config(upstream, tmp_path / "spool")
    rotating = config.model_copy(update={"tenants": (*config.tenants, *tenants(("shop-berlin", NEW_KEY, POLICY)))})
    gateway = build_gateway(GatewayConfig.model_validate(rotating.model_dump()), kafka_bootstrap, dev=True)
    server, port = serve(gateway)
    try:
        answers = {key: _call(port, key) for key in (TENANT_KEY, NEW_KEY, "dk-unknown")}
    finally:
        shut(server)
        gateway.outbox.close()
        upstream.stop()
    assert answers[TENANT_KEY].status_code == answers[NEW_KEY].status_code == 200
    assert answers["dk-unknown"].status_code == 401


def _call(port: int, key: str) -> httpx.Response:
    body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Which coffee grinder fits an espresso?"}]}
    return httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json=body, timeout=30,
                      headers={"X-Douane-Key": key, "Authorization": "Bearer sk-test"})
