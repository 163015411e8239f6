"""The processes the gateway benchmarks measure: the provider stand-in, Douane's gateway (this tree's
code, or the code of an earlier commit unpacked into a temporary folder) and the LiteLLM proxy."""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

import httpx

ROOT = Path(__file__).parents[1]
LITELLM = ROOT / ".venv-bench" / "bin" / "litellm"
KEY = "dk-shop-berlin-secret"
OTHER_KEY = "dk-kaffee-berlin-secret"
LITELLM_KEY = "sk-bench-" + "7" * 48
DOUANE_HEADERS = {"Authorization": "Bearer sk-bench", "X-Douane-Key": KEY, "X-Douane-Feature": "support_chat"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, seconds: float, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {seconds:.0f} s")


def wal_commit() -> str:
    """The commit that made events durable before their callers are answered (it added collector/wal.py)."""
    return _git("log", "--diff-filter=A", "--format=%H", "--", "collector/wal.py").split()[-1]


def unpack(rev: str, folder: Path) -> Path:
    """The tree of ``rev`` unpacked under ``folder`` (``git archive``); its code runs with PYTHONPATH there."""
    target = folder / f"douane-{rev[:10]}"
    tarfile.open(fileobj=BytesIO(subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                                                capture_output=True).stdout)).extractall(target, filter="data")
    return target


def start_upstream() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen([sys.executable, "-m", "deploy.standins.llm"], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, proc.stdout.readline().strip()


def start_douane(upstream: str, bootstrap: str, folder: Path, server: str = "uvicorn", code: Path = ROOT,
                 name: str = "now") -> tuple[subprocess.Popen, str]:
    """A gateway process for two tenants on ``upstream``; ``code`` is the source tree it runs
    (an unpacked earlier commit has no --dev flag: its default key was the development key)."""
    port = free_port()
    config = folder / f"gateway-{name}-{server}.yaml"
    policy = code / "deploy/examples/woocommerce-shop.policy.yaml"
    tenants = "".join(f"  - id: {tenant}\n    key_sha256: '{hashlib.sha256(key.encode()).hexdigest()}'\n"
                      f"    policy: {policy}\n" for tenant, key in (("shop-berlin", KEY), ("kaffee-berlin", OTHER_KEY)))
    config.write_text(f"tenants:\n{tenants}upstreams:\n  api.openai.com: {upstream}\n"
                      f"spool_dir: {folder / f'spool-{name}-{server}'}\n")
    env = {**os.environ, "DOUANE_KAFKA_BOOTSTRAP": bootstrap, "PYTHONPATH": str(code)}
    dev = ["--dev"] if "--dev" in _serve_help(code) else []
    proc = subprocess.Popen([sys.executable, "-m", "douane.cli", "gateway", "serve", "--config", str(config),
                             "--port", str(port), "--server", server, *dev], cwd=code, env=env)
    wait_http(f"http://127.0.0.1:{port}/healthz", 90, proc)
    return proc, f"http://127.0.0.1:{port}/v1"


def start_litellm(upstream: str, folder: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    config = folder / "litellm.yaml"
    config.write_text("model_list:\n  - model_name: gpt-4o\n    litellm_params:\n      model: openai/gpt-4o\n"
                      f"      api_base: {upstream}/v1\n      api_key: sk-bench\n"
                      "litellm_settings:\n  telemetry: false\n  set_verbose: false\n")
    env = {**os.environ, "LITELLM_LOCAL_MODEL_COST_MAP": "True", "LITELLM_TELEMETRY": "False",
           "LITELLM_LOG": "ERROR", "LITELLM_MASTER_KEY": LITELLM_KEY}  # it authenticates callers, as Douane does
    env.pop("PYTHONPATH", None)
    proc = subprocess.Popen([str(LITELLM), "--config", str(config), "--port", str(port), "--num_workers", "1"],
                            cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_http(f"http://127.0.0.1:{port}/health/liveliness", 180, proc)
    return proc, f"http://127.0.0.1:{port}/v1"


def litellm_version() -> str:
    python = LITELLM.parent / "python"
    return subprocess.run([str(python), "-c", "import importlib.metadata as m; print(m.version('litellm'))"],
                          capture_output=True, text=True).stdout.strip() or "?"


def stop(procs: list[subprocess.Popen]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def _serve_help(code: Path) -> str:
    env = {**os.environ, "PYTHONPATH": str(code), "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "douane.cli", "gateway", "serve", "--help"], cwd=code, env=env,
                          capture_output=True, text=True).stdout


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True, text=True).stdout
