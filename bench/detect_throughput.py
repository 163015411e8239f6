"""Benchmark: personal-data detection throughput in MB/s, one core.

The gateway scans every request body; this measures ``personal_data`` (all detectors, the
category roll-up and the keyed hash) on ~2 KB shop prompts that carry e-mail, phone, IBAN and
address, on the same prompts with the personal data taken out, and on hostile input
(long runs that a careless regex would backtrack on, and 1 MB texts of the costliest shapes).
Times are CPU seconds of this process, so the figures are per core even on a busy machine.
Then, side by side in the same run: Douane's scan and Presidio's analyzer on the same 2 KB
prompts (MB/s of one core, and the ratio) and on the labelled corpus of the tests (precision and
recall per category). Presidio runs in its own venv (``make bench-venv`` puts presidio-analyzer
in ``.venv-bench``), called through ``bench/presidio_side.py``; without that venv the line says
it was not run. Prints its figures; asserts nothing.
    .venv/bin/python bench/detect_throughput.py [--megabytes 8] [--presidio-python .venv-bench/bin/python]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

from common import shop_prompt

from collector.declare import personal_data
from collector.detect import DEFAULT, scan

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the labelled corpus lives with the tests
PRESIDIO_THRESHOLD = 0.4
"""Presidio's results at or above this score count (its phone recognizer scores 0.4, its date 0.6)."""

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
    parser.add_argument("--presidio-python", type=Path, default=ROOT / ".venv-bench" / "bin" / "python",
                        help="the bench venv's python, with presidio-analyzer")
    parser.add_argument("--no-presidio", action="store_true", help="only Douane's figures")
    parser.add_argument("--presidio-prompts", type=int, default=100, help="2 KB prompts both tools scan for MB/s")
    parser.add_argument("--corpus", type=int, default=1200, help="labelled prompts both tools are scored on")
    args = parser.parse_args()
    gate = "Hyperscan gate" if DEFAULT.gate.native else "pure Python (hyperscan not loaded)"
    print(f"detector throughput, CPU time of one core, ~{args.megabytes:g} MB per corpus, {gate}")
    texts_by_corpus = {**corpora(args.megabytes), **one_megabyte()}
    for name, texts in texts_by_corpus.items():
        personal_data(texts[0], KEY, "k1")  # warm the pattern caches
        rate, per_text, categories = measure(texts)
        print(f"  {name:<38} {rate:7.2f} MB/s  {per_text:10.1f} µs/text  ({categories} categories in the first)")
    if not args.no_presidio:
        prompts = texts_by_corpus["2 KB prompts with personal data"][:args.presidio_prompts]
        side_by_side(args.presidio_python, prompts, args.corpus)


PRESIDIO_CATEGORIES = {
    "EMAIL_ADDRESS": "user.contact.email", "PHONE_NUMBER": "user.contact.phone_number",
    "IBAN_CODE": "user.financial.bank_account", "CREDIT_CARD": "user.financial.credit_card",
    "IP_ADDRESS": "user.device.ip_address", "PERSON": "user.name", "LOCATION": "user.contact.address",
    "DATE_TIME": "user.demographic.date_of_birth", "IT_VAT_CODE": "user.financial.tax_id",
    **dict.fromkeys(("US_SSN", "UK_NHS", "UK_NINO", "ES_NIF", "ES_NIE", "IT_FISCAL_CODE", "US_ITIN", "US_PASSPORT",
                     "US_DRIVER_LICENSE", "US_BANK_NUMBER"), "user.government_id.national_identification_number"),
}
"""Presidio's entity types as the corpus's categories (DATE_TIME is any date: Presidio has no date of birth)."""


def side_by_side(python: Path, prompts: list[str], corpus_size: int) -> None:
    """Douane and Presidio on the same 2 KB prompts (MB/s of one core) and the same labelled corpus (P/R)."""
    from tests.collector.labelled_corpus import SCORED, corpus

    labelled = corpus(seed=14, size=corpus_size)
    ours = _rate(lambda text: scan(text), prompts)
    print(f"\nside by side: {len(prompts)} prompts of 2 KB, labelled corpus of {corpus_size} prompts (seed 14)")
    print(f"  Douane scan                              {ours:7.2f} MB/s")
    if not python.exists():
        print(f"  Presidio not run: {python} is missing (make bench-venv installs presidio-analyzer there)")
        return
    request = json.dumps({"throughput": prompts, "corpus": [p.text for p in labelled], "threshold": PRESIDIO_THRESHOLD})
    done = subprocess.run([str(python), str(Path(__file__).with_name("presidio_side.py"))], input=request,
                          capture_output=True, text=True, check=True)
    theirs = json.loads(done.stdout)
    rate = theirs["bytes"] / theirs["cpu_seconds"] / 1e6
    print(f"  Presidio AnalyzerEngine                  {rate:7.2f} MB/s   Douane is {ours / rate:.0f}x faster")
    print(f"  Presidio setup: {theirs['nlp']}; score threshold {PRESIDIO_THRESHOLD}")
    found_by_presidio = [{PRESIDIO_CATEGORIES[e] for e in found if e in PRESIDIO_CATEGORIES}
                         for found in theirs["entities"]]
    found_by_douane = [{hit.category for hit in scan(p.text)} for p in labelled]
    print(f"  {'category':<52} {'Douane P / R':>14} {'Presidio P / R':>16}")
    for category in SCORED:
        row = [_precision_recall(category, labelled, found) for found in (found_by_douane, found_by_presidio)]
        print(f"  {category:<52} {row[0]:>14} {row[1]:>16}")


def _rate(check, texts: list[str]) -> float:
    check(texts[0])
    started = time.process_time()
    for text in texts:
        check(text)
    return sum(len(t.encode()) for t in texts) / (time.process_time() - started) / 1e6


def _precision_recall(category: str, labelled, found: list[set[str]]) -> str:
    tp = sum(category in p.categories and category in f for p, f in zip(labelled, found))
    fp = sum(category not in p.categories and category in f for p, f in zip(labelled, found))
    fn = sum(category in p.categories and category not in f for p, f in zip(labelled, found))
    precision = f"{tp / (tp + fp):.2f}" if tp + fp else "  — "
    return f"{precision} / {tp / (tp + fn):.2f}" if tp + fn else f"{precision} /  — "


if __name__ == "__main__":
    main()
