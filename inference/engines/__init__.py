"""Engines by name: ``static``, ``openai`` and ``vllm`` (the last only when vLLM is installed)."""

from inference.engines.base import Engine, Generation
from inference.engines.openai import OpenAIEngine
from inference.engines.static import StaticEngine
from inference.engines.vllm import VllmEngine

ENGINES: dict[str, type[Engine]] = {
    StaticEngine.name: StaticEngine,
    OpenAIEngine.name: OpenAIEngine,
    VllmEngine.name: VllmEngine,
}

__all__ = ["ENGINES", "Engine", "Generation", "OpenAIEngine", "StaticEngine", "VllmEngine"]
