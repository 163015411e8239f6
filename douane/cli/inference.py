"""``douane inference``: the sovereign worker that answers redirected calls."""

from __future__ import annotations

import asyncio
import json
import os
from enum import StrEnum
from pathlib import Path

import typer

from douane.cli.common import bootstrap, fail, settings, topics_on

app = typer.Typer(help="Run the sovereign inference worker.", no_args_is_help=True)


class EngineName(StrEnum):
    """Engines the worker can run."""

    STATIC = "static"
    OPENAI = "openai"
    VLLM = "vllm"


def make_engine(name: EngineName, base_url: str | None, model: str | None, text: str | None, delay_ms: int,
                max_model_len: int = 2048):
    """The engine ``name`` configured from the command line, or a clear exit when an option is missing."""
    from inference import MissingDependency, OpenAIEngine, StaticEngine, VllmEngine
    from inference.engines.static import DEFAULT_TEXT

    if name is EngineName.STATIC:
        return StaticEngine(text or DEFAULT_TEXT, delay_s=delay_ms / 1000)
    if not model:
        fail(f"--model is required with --engine {name.value}")
    if name is EngineName.OPENAI:
        if not base_url:
            fail("--base-url is required with --engine openai (e.g. http://127.0.0.1:8000 of 'vllm serve')")
        return OpenAIEngine(base_url, model, api_key=os.environ.get("DOUANE_SOVEREIGN_API_KEY"))
    try:
        from inference.engines.vllm import _import_vllm

        _import_vllm()
    except MissingDependency as exc:
        fail(str(exc))
    return VllmEngine(model, max_model_len=max_model_len)


@app.command()
def worker(
    engine: EngineName = typer.Option(EngineName.STATIC, help="static, openai or vllm"),
    base_url: str = typer.Option(None, help="openai engine: the sovereign server's base URL"),
    model: str = typer.Option(None, help="openai: served model name; vllm: model path"),
    text: str = typer.Option(None, help="static engine: answer when the request has no fallback"),
    delay_ms: int = typer.Option(0, min=0, help="static engine: simulated generation time (drills)"),
    concurrency: int = typer.Option(8, min=1, help="requests answered at once"),
    timeout: float = typer.Option(30.0, min=0.1, help="seconds per request"),
    group: str = typer.Option("douane-inference", help="consumer group; workers share partitions"),
    port: int = typer.Option(None, help="serve /healthz, /readyz and /metrics on this port"),
    start_from: str = typer.Option("earliest", help="where a new group starts: earliest or latest"),
    max_model_len: int = typer.Option(2048, min=64, help="vllm engine: context length"),
) -> None:
    """Answer douane.redirect on douane.responses with the chosen engine."""
    from inference import InferenceWorker, WorkerConfig, serve

    chosen = make_engine(engine, base_url, model, text, delay_ms, max_model_len)  # bad options fail first
    cfg = settings()
    address = bootstrap(cfg)
    topics_on(address, cfg)
    if start_from not in ("earliest", "latest"):
        fail(f"--start-from must be earliest or latest, not {start_from!r}")
    config = WorkerConfig(address, group=group, concurrency=concurrency, timeout_s=timeout, start_from=start_from)
    typer.echo(f"inference worker: engine {engine.value}, concurrency {concurrency}, group {group}", err=True)
    asyncio.run(serve(InferenceWorker(config, chosen), port=port))


def parity(
    prompts: Path = typer.Option(..., exists=True, dir_okay=False, help="one prompt per line (blank lines skipped)"),
    baseline_url: str = typer.Option(..., help="OpenAI-compatible base URL of today's provider"),
    baseline_model: str = typer.Option(..., help="the model asked at the baseline"),
    engine: EngineName = typer.Option(EngineName.OPENAI, help="the sovereign engine"),
    base_url: str = typer.Option(None, help="openai engine: the sovereign server's base URL"),
    model: str = typer.Option(None, help="openai: served model name; vllm: model path"),
    max_tokens: int = typer.Option(256, min=1),
    json_out: Path = typer.Option(None, "--json", help="also write the rows and summary as JSON here"),
) -> None:
    """Same prompts to the baseline and the sovereign engine: latency, length and similarity side by side."""
    from inference import OpenAIEngine
    from inference.parity import run_parity

    texts = [line.strip() for line in prompts.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not texts:
        fail(f"{prompts}: no prompts (one per line expected)")
    baseline = OpenAIEngine(baseline_url, baseline_model, api_key=os.environ.get("DOUANE_BASELINE_API_KEY"))
    sovereign = make_engine(engine, base_url, model, None, 0)

    async def _run():
        await sovereign.start()
        try:
            return await run_parity(baseline, sovereign, texts, max_tokens)
        finally:
            await baseline.close()
            await sovereign.close()

    report = asyncio.run(_run())
    typer.echo(report.table())
    if json_out:
        rows = [r.__dict__ for r in report.rows]
        json_out.write_text(json.dumps({"summary": report.summary(), "rows": rows}, indent=2), encoding="utf-8")
