"""Benchmark: personal-data detection throughput in MB/s, one core.

The gateway scans every request body; this measures ``personal_data`` (all detectors, the
category roll-up and the keyed hash) on ~2 KB shop prompts that carry e-mail, phone, IBAN and
address, on the same prompts with the personal data taken out, and on hostile input
(long runs that a careless regex would backtrack on). Prints its figures; asserts nothing.
    .venv/bin/python bench/detect_throughput.py [--megabytes 8]
"""

from __future__ import annotations

import argparse
import random
import re
import time

from common import shop_prompt

from collector.declare import personal_data

KEY = b"bench-key"


def corpora(megabytes: float) -> dict[str, list[str]]:
    rng = random.Random(7)
    count = max(1, int(megabytes * 1_000_000 / 2048))
    with_pd = [shop_prompt(rng) for _ in range(count)]
    without = [re.sub(r"\S+@\S+|\+49[\d ]+|DE89[\d ]+|Torstraße \d+|10\d{3}", "x", p) for p in with_pd]
    hostile = ["a@" * 1024, "1" * 2048, "(" * 2048, "DE" + "9" * 2046, ("+49 " * 512)]
    return {"2 KB prompts with personal data": with_pd, "same prompts, personal data removed": without,
            "hostile 2 KB inputs": hostile * max(1, count // (5 * 4))}


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
    print(f"detector throughput, one core, ~{args.megabytes:g} MB per corpus")
    for name, texts in corpora(args.megabytes).items():
        personal_data(texts[0], KEY, "k1")  # warm the pattern caches
        rate, per_text, categories = measure(texts)
        print(f"  {name:<38} {rate:7.2f} MB/s  {per_text:8.1f} µs/text  ({categories} categories in the first)")


if __name__ == "__main__":
    main()
