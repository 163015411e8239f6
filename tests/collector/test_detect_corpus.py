"""The labelled corpus (1,200 prompts, six languages) scored per category: precision and recall ≥ 0.95 each."""

from __future__ import annotations

from collections import Counter

import pytest

from collector.detect import scan
from tests.collector.labelled_corpus import LANGUAGES, SCORED, corpus

THRESHOLD = 0.95
PROMPTS = corpus(seed=14, size=1200)


def scores() -> dict[str, tuple[float, float, Counter]]:
    tallies: dict[str, Counter] = {c: Counter() for c in SCORED}
    for prompt in PROMPTS:
        found = {h.category for h in scan(prompt.text)}
        for category in SCORED:
            expected, got = category in prompt.categories, category in found
            tallies[category]["tp" if expected and got else "fn" if expected else "fp" if got else "tn"] += 1
    result = {}
    for category, t in tallies.items():
        precision = t["tp"] / (t["tp"] + t["fp"]) if t["tp"] + t["fp"] else 1.0
        recall = t["tp"] / (t["tp"] + t["fn"]) if t["tp"] + t["fn"] else 1.0
        result[category] = (precision, recall, t)
    return result


SCORES = scores()


def test_the_corpus_covers_six_languages_and_every_scored_category() -> None:
    assert len(PROMPTS) >= 1000 and {p.language for p in PROMPTS} == set(LANGUAGES)
    assert all(SCORES[c][2]["tp"] + SCORES[c][2]["fn"] >= 60 for c in SCORED)


@pytest.mark.parametrize("category", SCORED)
def test_precision_and_recall_per_category(category: str) -> None:
    precision, recall, tally = SCORES[category]
    assert precision >= THRESHOLD and recall >= THRESHOLD, \
        f"{category}: P={precision:.3f} R={recall:.3f} {dict(tally)}"
