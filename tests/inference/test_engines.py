"""Engines and the breaker, without Kafka: every outcome of ``answer`` is a reply."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from douane.breaker import BreakerState, CircuitBreaker
from douane.cli.main import app
from inference import OpenAIEngine, StaticEngine, answer
from tests.inference.conftest import chat_request


class Clock:
    """A hand-moved clock."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_breaker_opens_after_threshold_and_lets_one_trial_through_after_cool_down() -> None:
    clock = Clock()
    breaker = CircuitBreaker(threshold=3, reset_after=10, clock=clock)
    for _ in range(2):
        breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN and not breaker.allow()
    clock.now = 10
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN  # the trial failed: open again at once
    clock.now = 20
    assert breaker.allow()
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.allow()


@pytest.mark.parametrize("threshold,reset", [(0, 1.0), (1, 0.0)])
def test_breaker_refuses_nonsense_settings(threshold: int, reset: float) -> None:
    with pytest.raises(ValueError):
        CircuitBreaker(threshold, reset)


async def test_a_slow_engine_gets_a_timeout_reply() -> None:
    reply = await answer(StaticEngine(delay_s=2), chat_request(), timeout_s=0.1)
    assert reply.error.kind == "timeout" and reply.finish_reason == "error"


async def test_an_open_breaker_answers_unavailable_without_calling() -> None:
    engine = OpenAIEngine("http://127.0.0.1:9", "m", retries=0, breaker=CircuitBreaker(1, 60))
    first = await answer(engine, chat_request(), timeout_s=5)
    second = await answer(engine, chat_request(), timeout_s=5)
    await engine.close()
    assert first.error.kind == "engine_error" and "ConnectError" in first.error.message
    assert second.error.kind == "unavailable" and "circuit open" in second.error.message


def test_the_vllm_engine_without_vllm_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "vllm", None)  # as if not installed, wherever the test runs
    result = CliRunner().invoke(app, ["inference", "worker", "--engine", "vllm", "--model", "/models/x"])
    assert result.exit_code == 1
    assert "pip install 'douane[vllm]'" in result.output
