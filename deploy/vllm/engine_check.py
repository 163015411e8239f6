"""Answer two redirect requests with the in-process vLLM engine and print the replies as JSON lines.

Run with the Python of ``.venv-vllm`` and the repository on ``PYTHONPATH``:

    PYTHONPATH=. .venv-vllm/bin/python deploy/vllm/engine_check.py MODEL_DIR
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from datetime import datetime, timedelta, timezone

from douane.contract import RedirectRequest, encode
from inference.answer import answer
from inference.engines.vllm import VllmEngine


def _requests() -> list[RedirectRequest]:
    deadline = datetime.now(timezone.utc) + timedelta(minutes=5)
    common = {"tenant": "shop-berlin", "deadline": deadline, "max_tokens": 12}
    return [
        RedirectRequest(correlation_id=uuid.uuid4(), kind="chat", **common,
                        messages=[{"role": "user", "content": "Wo ist meine Bestellung?"}]),
        RedirectRequest(correlation_id=uuid.uuid4(), kind="completion", prompt="Espresso ist", **common),
    ]


async def main(model: str) -> None:
    engine = VllmEngine(model, max_model_len=512, served_name="tiny-llama")
    await engine.start()
    try:
        for request in _requests():
            print(encode(await answer(engine, request, timeout_s=120)).decode(), flush=True)
    finally:
        await engine.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1]))
