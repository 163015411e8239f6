"""``douane gateway serve`` as a user runs it: on uvicorn and on granian, and with a broken config."""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest

from tests.collector.conftest import EXAMPLES, TENANT_KEY, gateway_process, serve_process
from tests.helpers import free_port

pytestmark = pytest.mark.kafka


def _config(tmp_path: Path, policy: Path) -> Path:
    config = tmp_path / "gateway.yaml"
    config.write_text("tenants:\n  - id: shop-berlin\n"
                      "    key_sha256: 9cbe82e2f6b45d02e5ddc2bef24b0978cf1841ebee7d800e55bf4ffa60052fc8\n"
                      f"    policy: {policy}\nspool_dir: {tmp_path / 'spool'}\n")
    return config


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_the_gateway_serves_on_either_server(server: str, kafka_bootstrap: str, tmp_path: Path) -> None:
    port = free_port()
    proc = serve_process(_config(tmp_path, EXAMPLES / "woocommerce-shop.policy.yaml"), port, kafka_bootstrap, server,
                         timeout=60)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json() == {"status": "alive"}
        refused = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", json={"model": "gpt-4o"})
        assert (refused.status_code, refused.json()["error"]["code"]) == (401, "missing_douane_key")
        wrong = httpx.post(f"http://127.0.0.1:{port}/v1/chat/completions", content=b"{",
                           headers={"X-Douane-Key": TENANT_KEY})
        assert wrong.json()["error"]["code"] == "invalid_json"
    finally:
        proc.terminate()
        proc.wait(30)


def test_a_broken_policy_is_named_before_any_server_starts(kafka_bootstrap: str, tmp_path: Path) -> None:
    policy = tmp_path / "shop.policy.yaml"
    policy.write_text("controller: [not, a, mapping\n")
    proc = gateway_process(_config(tmp_path, policy), free_port(), kafka_bootstrap, "granian",
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "shop.policy.yaml" in err and "Traceback" not in err
