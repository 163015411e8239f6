"""Benchmark: Douane's detection from two source trees on the same 2 KB corpora, alternated, side by side.

On a shared machine the load changes from minute to minute; timing the before and the after
code in turn on each corpus, several rounds, and keeping each tree's best figure per corpus
compares them under the same conditions. The corpora are ``detect_throughput.py``'s 2 KB ones, and with
``--one-megabyte`` its 1 MB shapes too (once per round: they take minutes on a loaded machine).
The earlier code is ``--before-commit`` of this repository (exported with ``git archive`` into a
temporary folder; by default dff75a8, where the detection speed work of issue 14 started; 3cc124e is the code
the issue was filed on and measured at ~1.4 MB/s, the anchor for its 20 MB/s) or ``--before``, a checkout or
an export. Each run is a fresh process, which pays once what a running gateway paid long ago (the phone
validity patterns it compiles for the first number of a length, libphonenumber's metadata it loads): with
``--warm-up-megabytes`` each process first scans that many other prompts untimed, so the timed pass measures a
settled process meeting new values. Prints; asserts nothing.
    .venv/bin/python bench/detect_before_after.py [--before-commit dff75a8 | --before /tmp/before]
        [--rounds 3] [--megabytes 1] [--one-megabyte] [--warm-up-megabytes 0.25]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from common import shop_prompt
from detect_throughput import corpora, one_megabyte

ROOT = Path(__file__).resolve().parents[1]
DRIVER = """
import json, sys, time
from collector.declare import personal_data
request = json.load(sys.stdin)
for text in request["warm_up"]:
    personal_data(text, b"k", "k1")
best = {}
for corpus, texts in request["corpora"].items():
    personal_data(texts[0], b"k", "k1")
    started = time.process_time()
    for text in texts:
        personal_data(text, b"k", "k1")
    best[corpus] = sum(len(t.encode()) for t in texts) / (time.process_time() - started) / 1e6
print(json.dumps(best))
"""
"""Runs in the tree's own Python path: the warm-up texts untimed, then ``personal_data`` per text, MB/s of CPU time
per corpus."""


def one_run(tree: Path, texts: dict[str, list[str]], warm_up: list[str] | None = None) -> dict[str, float]:
    """MB/s per corpus of ``tree``'s code, after ``warm_up`` went through it untimed."""
    env = {**os.environ, "PYTHONPATH": str(tree)}
    request = json.dumps({"corpora": texts, "warm_up": warm_up or []})
    done = subprocess.run([sys.executable, "-c", DRIVER], input=request, env=env, cwd=tree,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def warm_up_prompts(megabytes: float) -> list[str]:
    """Other prompts of the same kind (another seed: other phone numbers, mostly other e-mail addresses) that a
    settled process has already seen: what it compiles and loads once is paid before the timed pass, whose
    new values are still validated."""
    rng = random.Random(8)
    return [shop_prompt(rng) for _ in range(int(megabytes * 1_000_000 / 2048))]


def _exported(commit: str, folder: Path) -> Path:
    """``commit`` of this repository as a source tree in ``folder``."""
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def _alternated(trees: dict[str, Path], texts: dict[str, list[str]], rounds: int,
                warm_up: list[str] | None = None) -> dict[str, dict[str, float]]:
    """Each tree's best MB/s per corpus over ``rounds`` rounds, the trees taking turns on each corpus (a run of
    every corpus in one process put a minute between the two trees' figures for the same corpus, and the
    machine's load changed within it)."""
    best: dict[str, dict[str, float]] = {side: {} for side in trees}
    for _ in range(rounds):
        for corpus, corpus_texts in texts.items():
            for side, tree in trees.items():
                rate = one_run(tree.resolve(), {corpus: corpus_texts}, warm_up)[corpus]
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
    parser.add_argument("--warm-up-megabytes", type=float, default=0.0,
                        help="prompts of another seed each process scans untimed first (a settled process)")
    args = parser.parse_args()
    warm_up = warm_up_prompts(args.warm_up_megabytes) if args.warm_up_megabytes else None
    texts = {**corpora(args.megabytes), **(one_megabyte() if args.one_megabyte else {})}
    with tempfile.TemporaryDirectory() as exported:
        before = args.before or _exported(args.before_commit, Path(exported))
        best = _alternated({"before": before, "after": args.after}, texts, args.rounds, warm_up)
    label = args.before or args.before_commit
    settled = f", each process settled on {len(warm_up)} other prompts first" if warm_up else ", fresh processes"
    print(f"personal_data on ~{args.megabytes:g} MB per corpus, best of {args.rounds} alternated rounds, "
          f"MB/s of one core (CPU time){settled}; before: {label}, after: {args.after}")
    print(f"  {'corpus':<38} {'before':>8} {'after':>8} {'ratio':>6}")
    for corpus, after in best["after"].items():
        before = best["before"][corpus]
        print(f"  {corpus:<38} {before:8.2f} {after:8.2f} {after / before:5.2f}x")


if __name__ == "__main__":
    main()
