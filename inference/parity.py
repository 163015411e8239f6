"""Parity check: the same prompts to a baseline endpoint and to the sovereign engine, side by side.

A shop sees what it gives up before a cutover: latency, answer length and how close the
answers are (word-level similarity, 1.0 = the same words in the same order).
"""

from __future__ import annotations

import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from difflib import SequenceMatcher

from douane.contract import RedirectRequest
from inference.engines import Engine
from inference.errors import EngineError


@dataclass(frozen=True)
class PromptResult:
    """One prompt's answers from both sides."""

    number: int
    baseline_ms: float | None
    sovereign_ms: float | None
    baseline_words: int
    sovereign_words: int
    similarity: float
    error: str = ""


@dataclass(frozen=True)
class ParityReport:
    """Every prompt's result and the figures a shop would compare."""

    rows: tuple[PromptResult, ...]

    def summary(self) -> dict[str, float | int]:
        """Medians of latency and length, mean similarity, and how many prompts failed on either side."""
        ok = [r for r in self.rows if not r.error]
        return {
            "prompts": len(self.rows), "failed": len(self.rows) - len(ok),
            "baseline_p50_ms": _median([r.baseline_ms for r in ok]),
            "sovereign_p50_ms": _median([r.sovereign_ms for r in ok]),
            "baseline_median_words": _median([r.baseline_words for r in ok]),
            "sovereign_median_words": _median([r.sovereign_words for r in ok]),
            "mean_similarity": round(statistics.fmean([r.similarity for r in ok]), 3) if ok else 0.0,
        }

    def table(self) -> str:
        """A plain-text table, one line per prompt, then the summary."""
        lines = [f"{'#':>3}  {'baseline ms':>11}  {'sovereign ms':>12}  {'words b/s':>9}  {'similarity':>10}"]
        for r in self.rows:
            words = f"{r.baseline_words}/{r.sovereign_words}"
            lines.append(f"{r.number:>3}  {_ms(r.baseline_ms):>11}  {_ms(r.sovereign_ms):>12}  {words:>9}  "
                         f"{r.similarity:>10.2f}  {r.error}".rstrip())
        lines.append("summary: " + ", ".join(f"{k}={v}" for k, v in self.summary().items()))
        return "\n".join(lines)


def similarity(a: str, b: str) -> float:
    """Word-sequence similarity in [0, 1]."""
    return round(SequenceMatcher(None, a.lower().split(), b.lower().split(), autojunk=False).ratio(), 3)


async def run_parity(baseline: Engine, sovereign: Engine, prompts: list[str], max_tokens: int = 256) -> ParityReport:
    """Ask both engines every prompt, one after the other (so neither's latency hides the other's)."""
    rows = []
    for number, prompt in enumerate(prompts, 1):
        request = _request(prompt, max_tokens)
        (b_text, b_ms, b_err), (s_text, s_ms, s_err) = await _timed(baseline, request), await _timed(sovereign, request)
        error = "; ".join(e for e in (b_err and f"baseline: {b_err}", s_err and f"sovereign: {s_err}") if e)
        rows.append(PromptResult(number, b_ms, s_ms, len(b_text.split()), len(s_text.split()),
                                 similarity(b_text, s_text), error))
    return ParityReport(tuple(rows))


async def _timed(engine: Engine, request: RedirectRequest) -> tuple[str, float | None, str]:
    started = time.perf_counter()
    try:
        generation = await engine.generate(request)
    except EngineError as exc:
        return "", None, str(exc)
    return generation.text, round((time.perf_counter() - started) * 1000, 1), ""


def _request(prompt: str, max_tokens: int) -> RedirectRequest:
    return RedirectRequest(correlation_id=uuid.uuid4(), tenant="parity", kind="chat", max_tokens=max_tokens,
                           messages=[{"role": "user", "content": prompt}],
                           deadline=datetime.now(timezone.utc) + timedelta(minutes=10))


def _median(values: list) -> float:
    return round(statistics.median(values), 1) if values else 0.0


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"
