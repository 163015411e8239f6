"""vLLM in-process: the async engine in this worker's own process (needs ``douane[vllm]``)."""

from __future__ import annotations

import uuid

from douane.contract import RedirectRequest, RequestKind
from inference.engines.base import Engine, Generation
from inference.errors import EngineError, MissingDependency

INSTALL_HINT = "the vllm engine needs vLLM: pip install 'douane[vllm]' (on CPU-only hosts see docs/inference.md)"


def _import_vllm():
    try:
        import vllm
        from vllm.v1.engine.async_llm import AsyncLLM
    except ImportError as exc:
        raise MissingDependency(f"{INSTALL_HINT} ({exc})") from None
    return vllm, AsyncLLM


class VllmEngine(Engine):
    """Runs a model with vLLM's ``AsyncLLM``; chat requests go through the model's chat template.

    vLLM starts its engine core in a spawned process, so the program that builds this engine
    must be guarded by ``if __name__ == "__main__"`` (the ``douane`` command is).
    """

    name = "vllm"

    def __init__(self, model: str, max_model_len: int = 2048, served_name: str | None = None) -> None:
        self.model_path = model
        self.served_name = served_name or model
        self.max_model_len = max_model_len
        self._engine = None
        self._tokenizer = None
        self._vllm = None

    async def start(self) -> None:
        self._vllm, async_llm = _import_vllm()
        args = self._vllm.AsyncEngineArgs(model=self.model_path, max_model_len=self.max_model_len,
                                          enforce_eager=True)
        self._engine = async_llm.from_engine_args(args)
        self._tokenizer = await _maybe_await(self._engine.get_tokenizer())

    async def generate(self, request: RedirectRequest) -> Generation:
        if self._engine is None:
            raise EngineError("vllm engine used before start()")
        prompt = self._prompt(request)
        params = self._vllm.SamplingParams(max_tokens=request.max_tokens, temperature=request.temperature)
        final = None
        try:
            async for output in self._engine.generate(prompt, params, request_id=str(uuid.uuid4())):
                final = output
        except Exception as exc:  # vLLM raises its own hierarchy; the reply names the class
            raise EngineError(f"vllm failed: {type(exc).__name__}") from exc
        return self._generation(final)

    async def close(self) -> None:
        if self._engine is not None:
            self._engine.shutdown()
            self._engine = None

    def _prompt(self, request: RedirectRequest) -> str:
        if request.kind is RequestKind.COMPLETION or not getattr(self._tokenizer, "chat_template", None):
            return request.text_prompt()
        messages = [{"role": m.role, "content": m.content} for m in request.messages]
        return self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)

    def _generation(self, final) -> Generation:
        if final is None or not final.outputs:
            raise EngineError("vllm returned no output")
        out = final.outputs[0]
        return Generation(text=out.text, model=self.served_name,
                          finish_reason="length" if out.finish_reason == "length" else "stop",
                          prompt_tokens=len(final.prompt_token_ids or ()), completion_tokens=len(out.token_ids))


async def _maybe_await(value):
    if hasattr(value, "__await__"):
        return await value
    return value
