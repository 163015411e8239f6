"""Benchmark: the rules engine's evaluate() per event, one core, full registry loaded.

Prints its figures; asserts nothing. Target (issue 3): >= 100,000 events/s (<= 10 us each).
    .venv/bin/python bench/rules_evaluate.py [--events 200000]
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from collector import TrafficGenerator
from rules.engine import Engine
from rules.policy import load_policy
from rules.registry import load_registry

EXAMPLES = Path(__file__).parents[1] / "deploy" / "examples"


def traffic(n: int) -> list:
    """Synthetic shop traffic over a week (7 distinct days), two shops, every registered route."""
    gen = TrafficGenerator(("shop-berlin", "kaffee-berlin"), seed=11, start=datetime(2026, 11, 16, tzinfo=timezone.utc))
    events = gen.events(n)
    return events


def run(engine: Engine, events: list, repeat: int = 3, clock=time.perf_counter) -> float:
    """Best seconds per event over ``repeat`` passes, by ``clock``."""
    best = float("inf")
    for _ in range(repeat):
        started = clock()
        for event in events:
            engine.evaluate(event)
        best = min(best, (clock() - started) / len(events))
    return best


def cold(engine: Engine, events: list) -> float:
    """Seconds per decision when nothing is memoised (every call a new route, day or data mix)."""
    sample = events[:2000]
    started = time.perf_counter()
    for event in sample:
        engine._decided.clear()
        engine.evaluate(event)
    return (time.perf_counter() - started) / len(sample)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    registry = load_registry()
    policy = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")
    events = traffic(args.events)
    print(f"registry: {len(registry.providers)} providers, {len(registry.exact_hosts) + len(registry.host_patterns)} "
          f"host patterns; policy with {len(policy.activities)} activities and custom rules; "
          f"{len(events):,} events; one core")
    with_custom = Engine(registry, policy)
    without = Engine(registry, policy.model_copy(update={"custom_rules": ()}))
    for label, engine in (("built-in procedure + custom rules", with_custom), ("built-in procedure only", without)):
        per = run(engine, events)
        cpu = run(engine, events, clock=time.process_time)  # on a shared machine, wall time includes waiting
        print(f"{label:<36} {per * 1e6:6.2f} us/event  {1 / per:>10,.0f} events/s  "
              f"(CPU {cpu * 1e6:.2f} us, {1 / cpu:,.0f}/s; {len(engine._decided):,} memoised decisions)")
    per_cold = cold(Engine(registry, policy), events)
    print(f"{'cold decision (memo cleared each call)':<36} {per_cold * 1e6:6.2f} us/event  {1 / per_cold:>10,.0f} events/s")


if __name__ == "__main__":
    main()
