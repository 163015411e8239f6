"""The engine plug-in: one small class per way of producing an answer."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from douane.contract import RedirectRequest


@dataclass(frozen=True)
class Generation:
    """One answer from an engine."""

    text: str
    model: str
    finish_reason: str = "stop"
    prompt_tokens: int = 0
    completion_tokens: int = 0


class Engine(ABC):
    """Answers redirected requests. ``start`` and ``close`` bracket its life; ``generate`` is the work."""

    name: ClassVar[str]

    async def start(self) -> None:
        """Load or connect; called once before the first request."""

    @abstractmethod
    async def generate(self, request: RedirectRequest) -> Generation:
        """Answer ``request`` or raise :class:`inference.errors.EngineError`."""

    async def close(self) -> None:
        """Release what ``start`` took."""


def word_count(text: str) -> int:
    """A rough token count for engines that do not report one."""
    return len(text.split())
