"""Benchmark: where one 2 KB shop prompt's detection time goes, stage by stage, and what no exact check would leave.

``personal_data`` is timed whole, then each of its stages on the same prompts: normalising, the gate's
compiled pass, each detector's exact checks on the spans the gate gave it, the claims that keep one span
to one category, the keyed hash. The *floor* is ``personal_data`` with every detector's check answering
"nothing": what the present design costs before any candidate is checked, the limit of tuning the
checks alone. The stages take turns within each round, so a machine that changes speed slows all of
them alike; each keeps its best round. Prints µs of CPU time a prompt; asserts nothing.
    .venv/bin/python bench/detect_breakdown.py [--megabytes 1] [--rounds 7]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from detect_throughput import corpora

import collector.detect as detect
from collector.declare import content_hash, personal_data
from collector.detect import DEFAULT, normalise

KEY, KEY_ID = b"bench-key", "k1"


def _cpu_seconds(work: Callable[[], object]) -> float:
    started = time.process_time()
    work()
    return time.process_time() - started


def _checks(texts: list[str], where: list[dict]) -> dict[str, Callable[[], object]]:
    """One callable per detector: its exact checks on every prompt, within the spans the gate gave it."""
    work: dict[str, list] = {detector.name: [] for detector in DEFAULT.detectors}
    for text, spans in zip(texts, where):
        for detector, own in DEFAULT._gated(spans):
            work[detector.name].append((detector, text, own))

    def run(items: list) -> Callable[[], object]:
        return lambda: [d.find(t, s) if d.claims_spans else d.count(t, s) for d, t, s in items]

    return {name: run(items) for name, items in work.items() if items}


class _NoChecks:
    """Every detector's ``find`` and ``count`` answering "nothing" while it is entered (the floor)."""

    def __enter__(self) -> None:
        for detector in DEFAULT.detectors:
            detector.find = lambda text, spans=None: []
            detector.count = lambda text, spans=None: 0

    def __exit__(self, *exc) -> None:
        for detector in DEFAULT.detectors:
            del detector.find, detector.count


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
        "exact checks and claims": lambda: [detect._counted(t, DEFAULT._gated(w)) for t, w in zip(texts, where)],
        **{f"  {name}": run for name, run in _checks(texts, where).items()},
        "keyed hash": lambda: [content_hash(p, KEY, KEY_ID) for p in prompts],
        "floor: no exact checks": lambda: _floor(prompts),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=1.0, help="corpus size (default 1)")
    parser.add_argument("--rounds", type=int, default=7, help="rounds; each stage keeps its best (default 7)")
    args = parser.parse_args()
    prompts = next(texts for name, texts in corpora(args.megabytes).items() if "with personal data" in name)
    timed = stages(prompts)
    best = dict.fromkeys(timed, float("inf"))
    for _ in range(args.rounds):
        for name, work in timed.items():
            best[name] = min(best[name], _cpu_seconds(work))
    per_prompt = {name: seconds / len(prompts) * 1e6 for name, seconds in best.items()}
    whole = per_prompt["personal_data, whole"]
    size = sum(len(p.encode()) for p in prompts) / len(prompts)
    print(f"{len(prompts)} prompts of {size:.0f} bytes with personal data, best of {args.rounds} alternated rounds, "
          f"µs of CPU time a prompt (one core)")
    checks = sum(micros for name, micros in per_prompt.items() if name.startswith("  "))
    rows = [*per_prompt.items()]
    last_detector = max(i for i, (name, _) in enumerate(rows) if name.startswith("  "))
    rows.insert(last_detector + 1, ("  the detectors together", checks))
    rows.insert(last_detector + 2, ("  the rest: claims, dispatch, colder caches", per_prompt["exact checks and claims"] - checks))
    for name, micros in rows:
        print(f"  {name:44s} {micros:8.1f}  {micros / whole:6.1%}")
    print(f"whole: {size / whole:.2f} MB/s; floor: {size / per_prompt['floor: no exact checks']:.2f} MB/s "
          f"(the most that tuning the exact checks alone could reach)")


if __name__ == "__main__":
    main()
