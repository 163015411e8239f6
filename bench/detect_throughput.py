"""Benchmark: personal-data detection throughput in MB/s, one core.

The gateway scans every request body; this measures ``personal_data`` (all detectors, the
category roll-up and the keyed hash) on ~2 KB shop prompts that carry e-mail, phone, IBAN and
address, on the same prompts with the personal data taken out, and on hostile input
(long runs that a careless regex would backtrack on, and 1 MB texts of the costliest shapes).
Times are CPU seconds of this process, so the figures are per core even on a busy machine.
Presidio runs in the same pass when ``presidio-analyzer`` is importable (a bench venv, never
the project's); otherwise the line says it was not run. Prints its figures; asserts nothing.
    .venv/bin/python bench/detect_throughput.py [--megabytes 8]
"""

from __future__ import annotations

import argparse
import random
import re
import time

from common import shop_prompt

from collector.declare import personal_data
from collector.detect import DEFAULT

KEY = b"bench-key"


def corpora(megabytes: float) -> dict[str, list[str]]:
    rng = random.Random(7)
    count = max(1, int(megabytes * 1_000_000 / 2048))
    with_pd = [shop_prompt(rng) for _ in range(count)]
    without = [re.sub(r"\S+@\S+|\+49[\d ]+|DE89[\d ]+|Torstraße \d+|10\d{3}", "x", p) for p in with_pd]
    hostile = ["a@" * 1024, "1" * 2048, "(" * 2048, "DE" + "9" * 2046, ("+49 " * 512)]
    return {"2 KB prompts with personal data": with_pd, "same prompts, personal data removed": without,
            "hostile 2 KB inputs": hostile * max(1, count // (5 * 4))}


def one_megabyte() -> dict[str, list[str]]:
    rng = random.Random(7)
    groups = " ".join(str(rng.randint(0, 99_999)) for _ in range(170_000))[:1_000_000]
    phones = " ".join(f"+49 30 {rng.randint(1_000_000, 9_999_999)}" for _ in range(67_000))[:1_000_000]
    return {"1 MB of space-separated digits": ["1 " * 500_000], "1 MB of random digit groups": [groups],
            "1 MB of distinct phone numbers": [phones]}


def measure(texts: list[str]) -> tuple[float, float, int]:
    """(MB/s, µs per text, categories found in the first text)."""
    started = time.process_time()
    for text in texts:
        personal_data(text, KEY, "k1")
    seconds = time.process_time() - started
    size = sum(len(t.encode()) for t in texts)
    return size / seconds / 1e6, seconds / len(texts) * 1e6, len(personal_data(texts[0], KEY, "k1").categories)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=8.0)
    args = parser.parse_args()
    gate = "Hyperscan gate" if DEFAULT.gate.native else "pure Python (hyperscan not loaded)"
    print(f"detector throughput, CPU time of one core, ~{args.megabytes:g} MB per corpus, {gate}")
    for name, texts in {**corpora(args.megabytes), **one_megabyte()}.items():
        personal_data(texts[0], KEY, "k1")  # warm the pattern caches
        rate, per_text, categories = measure(texts)
        print(f"  {name:<38} {rate:7.2f} MB/s  {per_text:10.1f} µs/text  ({categories} categories in the first)")
    presidio()


def presidio() -> None:
    """Presidio's analyzer on the same prompts, when a bench venv provides it."""
    try:
        from presidio_analyzer import AnalyzerEngine
    except ImportError:
        print("  presidio-analyzer is not installed here: Presidio was not run (use a separate bench venv)")
        return
    engine = AnalyzerEngine()
    texts = corpora(0.2)["2 KB prompts with personal data"]
    started = time.process_time()
    for text in texts:
        engine.analyze(text=text, language="en")
    rate = sum(len(t.encode()) for t in texts) / (time.process_time() - started) / 1e6
    print(f"  Presidio AnalyzerEngine, 2 KB prompts     {rate:7.2f} MB/s")


if __name__ == "__main__":
    main()
