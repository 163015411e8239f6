"""Benchmark: where one 2 KB shop prompt's detection time goes, stage by stage, and what no exact check would leave.

``personal_data`` is timed whole, then each of its stages on the same prompts: normalising, the gate's
compiled pass, each detector's exact checks on the spans the gate gave it, the claims that keep one span
to one category, the keyed hash. Each detector is timed over all prompts in a row, warmer than when they take
turns on one prompt, so their sum comes out lower than the checks timed together: the difference is shown as
the rest (claims, dispatch, colder caches). The *floor* is ``personal_data`` with every detector's check
answering "nothing": what the present design costs before any candidate is checked (it also leaves out
building categories from hits, ~3 µs). The stages take turns within each round and each keeps its best
round; after the first round every value's verdict is cached, so these are warm figures.

With ``--anchor-commit`` the whole and the floor are also measured the way ``detect_before_after.py``
measures (a fresh process, one pass, cold verdict caches), alternated with that commit's ``personal_data``:
then the budget the exact checks would have at a given speed-up (``--target``) over the anchor is printed,
from figures of one method and one run. Prints µs of CPU time a prompt; asserts nothing. The corpus
holds e-mail addresses, phone numbers, IBANs and addresses, no names and no health terms.
    .venv/bin/python bench/detect_breakdown.py [--megabytes 1] [--rounds 7] [--anchor-commit 3cc124e]
        [--target 14]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from detect_before_after import _exported, one_run
from detect_throughput import corpora

from collector.declare import content_hash, personal_data
from collector.detect import DEFAULT, FEW_OFFSETS, LOOKAHEAD_CHARS, _finder, normalise

KEY, KEY_ID = b"bench-key", "k1"
ROOT = Path(__file__).resolve().parents[1]
FLOOR_DRIVER = """
import json, sys, time
from collector.declare import personal_data
from collector.detect import DEFAULT
texts = json.load(sys.stdin)
personal_data(texts[0], b"k", "k1")
for detector in DEFAULT.detectors:
    detector.find = lambda text, spans=None: []
    detector.count = lambda text, spans=None: 0
DEFAULT.plan()
started = time.process_time()
for text in texts:
    personal_data(text, b"k", "k1")
print(json.dumps(sum(len(t.encode()) for t in texts) / (time.process_time() - started) / 1e6))
"""
"""The floor in a process of its own, as ``detect_before_after``'s driver times the whole: MB/s of CPU time."""


def _cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _gated(spans: dict | None) -> list:
    """(detector, its spans) the checks run on: the gate's, or every detector on the whole text without one."""
    return list(DEFAULT._gated(spans)) if spans is not None else [(d, None) for d in DEFAULT.detectors]


def _checks(texts: list[str], where: list[dict | None]) -> dict[str, Callable[[], object]]:
    """One callable per detector: its exact checks on every prompt, within the spans the gate gave it (in the C
    loop where it is built, the detector alone: no claims of others)."""
    if DEFAULT.finder and all(w is not None for w in where):
        return {detector.name: _checked_in_c(plan, texts, where)
                for detector, plan in zip(DEFAULT.detectors, DEFAULT._plans)
                if any(set(w) & {entry[0] for entry in plan[4]} for w in where)}
    work: dict[str, list] = {detector.name: [] for detector in DEFAULT.detectors}
    for text, spans in zip(texts, where):
        for detector, own in _gated(spans):
            work[detector.name].append((detector, text, own))

    def run(items: list) -> Callable[[], object]:
        return lambda: [d.find(t, s) if d.claims_spans else d.count(t, s) for d, t, s in items]

    return {name: run(items) for name, items in work.items() if items}


def _checked_in_c(plan: tuple, texts: list[str], where: list[dict]) -> Callable[[], object]:
    plans = (plan,)
    return lambda: [_finder.counted(t, w, plans, FEW_OFFSETS, LOOKAHEAD_CHARS) for t, w in zip(texts, where)]



class _NoChecks:
    """Every detector's ``find`` and ``count`` answering "nothing" while it is entered (the floor)."""

    def __enter__(self) -> None:
        for detector in DEFAULT.detectors:
            detector.find = lambda text, spans=None: []
            detector.count = lambda text, spans=None: 0
        DEFAULT.plan()

    def __exit__(self, *exc) -> None:
        for detector in DEFAULT.detectors:
            del detector.find, detector.count
        DEFAULT.plan()


def _floor(prompts: list[str]) -> None:
    with _NoChecks():
        for prompt in prompts:
            personal_data(prompt, KEY, KEY_ID)


def stages(prompts: list[str]) -> dict[str, Callable[[], object]]:
    """The timed stages, ``personal_data`` whole first."""
    texts = [normalise(prompt) for prompt in prompts]
    where = [DEFAULT.gate.spans(text) for text in texts]
    return {
        "personal_data, whole": lambda: [personal_data(p, KEY, KEY_ID) for p in prompts],
        "normalise": lambda: [normalise(p) for p in prompts],
        "gate: the compiled pass": lambda: [DEFAULT.gate.spans(t) for t in texts],
        "exact checks and claims": lambda: [DEFAULT.check(t, w) for t, w in zip(texts, where)],
        **{f"  {name}": run for name, run in _checks(texts, where).items()},
        "keyed hash": lambda: [content_hash(p, KEY, KEY_ID) for p in prompts],
        "floor: no exact checks": lambda: _floor(prompts),
    }


def _rows(per_prompt: dict[str, float]) -> list[tuple[str, float]]:
    """The stages in order, the detectors' sum and the rest after the last detector."""
    rows = [*per_prompt.items()]
    detectors = [i for i, (name, _) in enumerate(rows) if name.startswith("  ")]
    if detectors:
        checks = sum(rows[i][1] for i in detectors)
        rows[detectors[-1] + 1:detectors[-1] + 1] = [
            ("  the detectors together", checks),
            ("  the rest: claims, dispatch, colder caches", per_prompt["exact checks and claims"] - checks)]
    return rows


def breakdown(prompts: list[str], rounds: int) -> None:
    """Print the stages, warm, best of ``rounds`` alternated rounds."""
    timed = stages(prompts)
    best = dict.fromkeys(timed, float("inf"))
    for _ in range(rounds):
        for name, work in timed.items():
            best[name] = min(best[name], _cpu_seconds(work))
    per_prompt = {name: seconds / len(prompts) * 1e6 for name, seconds in best.items()}
    whole = per_prompt["personal_data, whole"]
    size = sum(len(p.encode()) for p in prompts) / len(prompts)
    for name, micros in _rows(per_prompt):
        print(f"  {name:44s} {micros:8.1f}  {micros / whole:6.1%}")
    print(f"warm: whole {size / whole:.2f} MB/s; floor {size / per_prompt['floor: no exact checks']:.2f} MB/s")


def _floor_rate(tree: Path, texts: list[str]) -> float:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", FLOOR_DRIVER], input=json.dumps(texts), env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def against_anchor(prompts: list[str], commit: str, rounds: int, target: float) -> None:
    """The anchor's whole, this tree's whole and floor, each a fresh process and one pass, alternated; then the
    time the exact checks may take at ``target`` times the anchor's speed."""
    size = sum(len(p.encode()) for p in prompts) / len(prompts)
    best = {"anchor": 0.0, "whole": 0.0, "floor": 0.0}
    with tempfile.TemporaryDirectory() as folder:
        anchor = _exported(commit, Path(folder))
        for _ in range(rounds):
            best["anchor"] = max(best["anchor"], one_run(anchor, {"p": prompts})["p"])
            best["whole"] = max(best["whole"], one_run(ROOT, {"p": prompts})["p"])
            best["floor"] = max(best["floor"], _floor_rate(ROOT, prompts))
    micros = {side: size / rate for side, rate in best.items()}
    print(f"against {commit}, fresh processes, one pass each, best of {rounds} alternated (cold verdict caches):")
    for side in best:
        print(f"  {side:8s} {micros[side]:8.1f} µs a prompt  {best[side]:7.2f} MB/s  "
              f"{micros['anchor'] / micros[side]:6.2f}x the anchor")
    goal = micros["anchor"] / target
    checks, budget = micros["whole"] - micros["floor"], goal - micros["floor"]
    print(f"  at {target:g}x the anchor a prompt may take {goal:.1f} µs: the exact checks, now {checks:.1f} µs above "
          f"the floor, would have {budget:.1f} ({budget / checks:.0%} of their time)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0, help="corpus size (default 1)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; each stage keeps its best (default 7)")
    parser.add_argument("--anchor-commit", help="also time this commit's personal_data beside this tree's")
    parser.add_argument("--anchor-rounds", type=int, default=3, help="rounds against the anchor (default 3)")
    parser.add_argument("--target", type=float, default=14.0, help="speed-up over the anchor to budget for")
    args = parser.parse_args()
    prompts = next(texts for name, texts in corpora(args.megabytes).items() if "with personal data" in name)
    size = sum(len(p.encode()) for p in prompts) / len(prompts)
    engine = DEFAULT.gate.engine or "none: pure Python, every detector on the whole text"
    loop = "C (_finder)" if DEFAULT.finder else "Python (base.py)"
    print(f"{len(prompts)} prompts of {size:.0f} bytes with personal data, gate engine: {engine}, checks' loop: "
          f"{loop}; best of "
          f"{args.rounds} alternated rounds, µs of CPU time a prompt (one core), warm")
    breakdown(prompts, args.rounds)
    if args.anchor_commit:
        against_anchor(prompts, args.anchor_commit, args.anchor_rounds, args.target)


if __name__ == "__main__":
    main()
