"""The degraded mode: the policy's safe fallback answer, with no model at all."""

from __future__ import annotations

import asyncio

from douane.contract import RedirectRequest
from inference.engines.base import Engine, Generation, word_count

DEFAULT_TEXT = "This assistant is unavailable right now. Our team will get back to you."


class StaticEngine(Engine):
    """Returns the request's fallback answer (the policy's), else a configured text.

    ``delay_s`` simulates generation time, for drills and tests of the worker's timing.
    """

    name = "static"

    def __init__(self, text: str = DEFAULT_TEXT, delay_s: float = 0.0) -> None:
        self.text = text
        self.delay_s = delay_s

    async def generate(self, request: RedirectRequest) -> Generation:
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        text = request.fallback_answer or self.text
        return Generation(text=text, model="static-fallback", prompt_tokens=word_count(request.text_prompt()),
                          completion_tokens=word_count(text))
