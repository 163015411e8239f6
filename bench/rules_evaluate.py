"""Benchmark: the rules engine's evaluate() per event, one core, full registry loaded.

Prints its figures; asserts nothing. Target (issues 3 and 15): >= 100,000 events/s on one
core (<= 10 us each). With ``--baseline REF[,REF...]`` (default: bff5b4f, the engine before
issue 15's speed work, and 00f6c6e, after its second session) the same measurement runs on each
commit's code, extracted with ``git archive`` into a temporary folder, in a subprocess pinned to
the same core, alternating with this tree's code, so all figures come from the same minutes of
the same machine.
    .venv/bin/python bench/rules_evaluate.py [--events 20000] [--rounds 2] [--baseline bff5b4f,00f6c6e|none]
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "deploy" / "examples"
BASELINE = "bff5b4f,00f6c6e"


def traffic(n: int) -> list:
    """Synthetic shop traffic over a week (7 distinct days), two shops, every registered route."""
    from collector import TrafficGenerator

    gen = TrafficGenerator(("shop-berlin", "kaffee-berlin"), seed=11, start=datetime(2026, 11, 16, tzinfo=timezone.utc))
    return gen.events(n)


def run(engine, events: list, repeat: int = 5) -> tuple[float, float]:
    """Best (wall, CPU) seconds per event over ``repeat`` passes.

    On a shared machine wall time includes waiting for the core; CPU time does not.
    """
    wall = cpu = float("inf")
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        for event in events:
            engine.evaluate(event)
        wall = min(wall, (time.perf_counter() - w0) / len(events))
        cpu = min(cpu, (time.process_time() - c0) / len(events))
    return wall, cpu


def cold(engine, events: list) -> float:
    """CPU seconds per decision when nothing is memoised (every call a new route, day or data mix)."""
    sample = events[:1000]
    forget = getattr(engine, "forget", engine._decided.clear)  # older engines kept one memo
    started = time.process_time()
    for event in sample:
        forget()
        engine.evaluate(event)
    return (time.process_time() - started) / len(sample)


def measure(n: int, label: str) -> None:
    """Load the registry and the example policy, then time both engines (this process's code)."""
    from rules.engine import Engine
    from rules.policy import load_policy
    from rules.registry import load_registry

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core
    registry = load_registry()
    policy = load_policy(EXAMPLES / "woocommerce-shop.policy.yaml")
    events = traffic(n)
    gc.freeze()  # as the worker does once loaded (stream/judge.py): full collections skip the registry and policy
    engines = (("built-in + custom rules", Engine(registry, policy)),
               ("built-in only", Engine(registry, policy.model_copy(update={"custom_rules": ()}))))
    for name, engine in engines:
        wall, cpu = run(engine, events)
        print(f"{label:<9} {name:<24} CPU {cpu * 1e6:6.2f} us/event {1 / cpu:>10,.0f} events/s   "
              f"(wall {wall * 1e6:6.2f} us; {len(engine._decided):,} memoised decisions)", flush=True)
    per_cold = cold(Engine(registry, policy), events)
    print(f"{label:<9} {'cold (memo cleared)':<24} CPU {per_cold * 1e6:6.2f} us/event {1 / per_cold:>10,.0f} events/s",
          flush=True)


def measure_in(tree: Path, n: int, label: str) -> None:
    """Run :func:`measure` in a subprocess whose imports come from ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    code = (f"import sys; sys.path.insert(0, {str(tree)!r}); sys.path.insert(1, {str(ROOT / 'bench')!r}); "
            f"import rules_evaluate as b; b.EXAMPLES = b.Path({str(tree / 'deploy' / 'examples')!r}); "
            f"b.measure({n}, {label!r})")
    subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=20_000, help="distinct events, each timed 5 times")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of baseline and this tree")
    parser.add_argument("--baseline", default=BASELINE, help="commits to compare with, comma-separated, or 'none'")
    args = parser.parse_args()
    print(f"rules evaluate: example policy (woocommerce-shop) with its custom rules, full registry, "
          f"{args.events:,} events x 5 passes, best pass, one core", flush=True)
    with tempfile.TemporaryDirectory(prefix="douane-bench-") as tmp:
        trees = [(ROOT, "now")]
        if args.baseline != "none":
            from gateway_targets import unpack

            for n, ref in enumerate(args.baseline.split(",")):
                try:
                    trees.insert(n, (unpack(ref, Path(tmp)), ref[:9]))
                except (OSError, subprocess.CalledProcessError) as exc:
                    print(f"baseline {ref} not available ({exc}); not measured", flush=True)
        for _ in range(args.rounds):
            for tree, label in trees:
                measure_in(tree, args.events, label)


if __name__ == "__main__":
    main()
