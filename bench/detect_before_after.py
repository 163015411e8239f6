"""Benchmark: Douane's detection from two source trees on the same 2 KB corpora, alternated, side by side.

On a shared machine the load changes from minute to minute; timing the before and the after
code in turn on each corpus, several rounds, and keeping each tree's best figure per corpus
compares them under the same conditions. The corpora are ``detect_throughput.py``'s 2 KB ones, and with
``--one-megabyte`` its 1 MB shapes too (once per round: they take minutes on a loaded machine).
The earlier code is ``--before-commit`` of this repository (exported with ``git archive`` into a
temporary folder; by default dff75a8, where the detection speed work of issue 14 started; 3cc124e is the code
the issue was filed on and measured at ~1.4 MB/s, the anchor for its 20 MB/s) or ``--before``, a checkout or
an export. Prints; asserts nothing.
    .venv/bin/python bench/detect_before_after.py [--before-commit dff75a8 | --before /tmp/before]
        [--rounds 3] [--megabytes 1] [--one-megabyte]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from detect_throughput import corpora, one_megabyte

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


def _exported(commit: str, folder: Path) -> Path:
    """``commit`` of this repository as a source tree in ``folder``."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _alternated(trees: dict[str, Path], texts: dict[str, list[str]], rounds: int) -> dict[str, dict[str, float]]:
    """Each tree's best MB/s per corpus over ``rounds`` rounds, the trees taking turns on each corpus (a run of
    every corpus in one process put a minute between the two trees' figures for the same corpus, and the
    machine's load changed within it)."""
    best: dict[str, dict[str, float]] = {side: {} for side in trees}
    for _ in range(rounds):
        for corpus, corpus_texts in texts.items():
            for side, tree in trees.items():
                rate = one_run(tree.resolve(), {corpus: corpus_texts})[corpus]
                best[side][corpus] = max(rate, best[side].get(corpus, 0.0))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the earlier source tree (else --before-commit is exported)")
    parser.add_argument("--before-commit", default="dff75a8", help="the earlier commit of this repository")
    parser.add_argument("--one-megabyte", action="store_true", help="the 1 MB shapes as well")
    parser.add_argument("--after", type=Path, default=ROOT, help="the later source tree (this one)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--megabytes", type=float, default=1.0)
    args = parser.parse_args()
    texts = {**corpora(args.megabytes), **(one_megabyte() if args.one_megabyte else {})}
    with tempfile.TemporaryDirectory() as exported:
        before = args.before or _exported(args.before_commit, Path(exported))
        best = _alternated({"before": before, "after": args.after}, texts, args.rounds)
    label = args.before or args.before_commit
    print(f"personal_data on ~{args.megabytes:g} MB per corpus, best of {args.rounds} alternated rounds, "
          f"MB/s of one core (CPU time); before: {label}, after: {args.after}")
    print(f"  {'corpus':<38} {'before':>8} {'after':>8} {'ratio':>6}")
    for corpus, after in best["after"].items():
        before = best["before"][corpus]
        print(f"  {corpus:<38} {before:8.2f} {after:8.2f} {after / before:5.2f}x")


if __name__ == "__main__":
    main()
