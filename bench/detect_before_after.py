"""Benchmark: Douane's detection from two source trees on the same 2 KB corpora, alternated, side by side.

On a shared machine the load changes from minute to minute; timing the before and the after
code in turn, several rounds each, and keeping each tree's best figure per corpus compares them
under the same conditions. The corpora are ``detect_throughput.py``'s 2 KB ones (its 1 MB shapes
are left out: they take minutes on a loaded machine). ``--before`` is a checkout or an export of
the earlier code, e.g. ``git archive 00f6c6e | tar -x -C /tmp/before``. Prints; asserts nothing.
    .venv/bin/python bench/detect_before_after.py --before /tmp/before [--rounds 3] [--megabytes 1]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

from detect_throughput import corpora

ROOT = Path(__file__).resolve().parents[1]
DRIVER = """
import json, sys, time
from collector.declare import personal_data
best = {}
for corpus, texts in json.load(sys.stdin).items():
    personal_data(texts[0], b"k", "k1")
    started = time.process_time()
    for text in texts:
        personal_data(text, b"k", "k1")
    best[corpus] = sum(len(t.encode()) for t in texts) / (time.process_time() - started) / 1e6
print(json.dumps(best))
"""
"""Runs in the tree's own Python path: ``personal_data`` per text, MB/s of CPU time per corpus."""


def one_run(tree: Path, texts: dict[str, list[str]]) -> dict[str, float]:
    """MB/s per corpus of ``tree``'s code."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(texts), env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="the earlier source tree")
    parser.add_argument("--after", type=Path, default=ROOT, help="the later source tree (this one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=float, default=1.0)
    args = parser.parse_args()
    texts = corpora(args.megabytes)
    best: dict[str, dict[str, float]] = {"before": {}, "after": {}}
    for _ in range(args.rounds):
        for side, tree in (("before", args.before), ("after", args.after)):
            for corpus, rate in one_run(tree.resolve(), texts).items():
                best[side][corpus] = max(rate, best[side].get(corpus, 0.0))
    print(f"personal_data on ~{args.megabytes:g} MB per corpus, best of {args.rounds} alternated rounds, "
          "MB/s of one core (CPU time)")
    print(f"  {'corpus':<38} {'before':>8} {'after':>8} {'ratio':>6}")
    for corpus, after in best["after"].items():
        before = best["before"][corpus]
        print(f"  {corpus:<38} {before:8.2f} {after:8.2f} {after / before:5.2f}x")


if __name__ == "__main__":
    main()
