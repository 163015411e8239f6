"""The sovereign worker: answers redirected AI calls with a model that runs inside the jurisdiction."""

from inference.answer import answer
from inference.engines import ENGINES, Engine, Generation, OpenAIEngine, StaticEngine, VllmEngine
from inference.errors import EngineError, EngineUnavailable, InferenceError, MissingDependency
from inference.serve import health_app, serve
from inference.worker import InferenceWorker, WorkerConfig

__all__ = [
    "ENGINES",
    "Engine",
    "EngineError",
    "EngineUnavailable",
    "Generation",
    "InferenceError",
    "InferenceWorker",
    "MissingDependency",
    "OpenAIEngine",
    "StaticEngine",
    "VllmEngine",
    "WorkerConfig",
    "answer",
    "health_app",
    "serve",
]
