"""Detection time is linear in the text: no input shape costs more than a stated bound per kilobyte.

The bound is generous (CPU time on a busy two-core CI machine, where the native gate and the
pure-Python checks share a core with other jobs) yet an order below what a backtracking pattern
or a parse per candidate costs: before the gate, a run of space-separated digits cost about
40,000 µs/KB here (1 MB took 14-22 s on a quiet machine).
"""

from __future__ import annotations

import random
import time

import pytest

from collector.detect import scan

MAX_US_PER_KB = 12_000
SIZE = 128_000


def _repeat(make, size: int = SIZE) -> str:
    rng = random.Random(14)
    parts, total = [], 0
    while total < size:
        parts.append(make(rng))
        total += len(parts[-1]) + 1
    return " ".join(parts)[:size]


SHAPES = {
    "digits and spaces": lambda: "1 " * (SIZE // 2),
    "random digit groups": lambda: _repeat(lambda r: str(r.randint(0, 99_999))),
    "distinct phone numbers": lambda: _repeat(lambda r: f"+49 30 {r.randint(1_000_000, 9_999_999)}"),
    "national phone shapes": lambda: _repeat(lambda r: f"0{r.randint(10, 999)} {r.randint(100_000, 99_999_999)}"),
    "iban shapes": lambda: _repeat(lambda r: "DE{:02d} {:04d} {:04d} {:04d} {:04d} {:02d}".format(
        *(r.randint(0, 9999) % m for m in (100, 10_000, 10_000, 10_000, 10_000, 100)))),
    "card-like digit runs": lambda: _repeat(lambda r: "-".join(str(r.randint(1000, 9999)) for _ in range(4))),
    "dotted numbers": lambda: "1." * (SIZE // 2),
    "e-mail shapes": lambda: _repeat(lambda r: f"k{r.randint(0, 10**6)}@x{r.randint(0, 999)}.de"),
    "at signs": lambda: "a@" * (SIZE // 2),
    "one long word then @": lambda: "a" * SIZE + "@",
    "one address whose domain ends at every letter": lambda: "a@" + "b" * (SIZE // 2) + "." + "c" * (SIZE // 2),
    "plus and dashes": lambda: "+" + "1-" * (SIZE // 2),
    "long digit runs before phone-like groups": lambda: _repeat(lambda r: f"{r.randint(10**26, 10**27)}x 1 2 3 4 5 6"),
    "long digit runs after a space": lambda: _repeat(lambda r: f"{r.randint(10**23, 10**24)}x 12 34 56 78"),
    "colons": lambda: ":" * SIZE + "a",
    "street words": lambda: "Straße" * (SIZE // 6) + "1",
    "postcode and town": lambda: _repeat(lambda r: f"{r.randint(10_000, 99_999)} Berlin"),
    "dates near born": lambda: _repeat(lambda r: f"geboren {r.randint(1, 28)}.{r.randint(1, 12)}.19{r.randint(10, 99)}"),
    "health words": lambda: "diabetes allergie " * (SIZE // 18),
    "fullwidth and zero-width": lambda: "ａ\u200b１" * (SIZE // 3),
    "given names and surnames": lambda: _repeat(lambda r: r.choice(["Anna Müller hat", "Rossi", "Frau Wolf"])),
    "name cues": lambda: "mein Name ist Viele Grüße\nEmpfänger: Hallo Frau " * (SIZE // 48),
    "capitalised words": lambda: "Aa Bb Cc van der " * (SIZE // 17),
    "one long capitalised word": lambda: "A" + "a" * SIZE,
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("shape", list(SHAPES))
def test_detection_time_per_kilobyte_is_bounded_for_every_shape(shape: str) -> None:
    text = SHAPES[shape]()
    started = time.process_time()
    scan(text)
    us_per_kb = (time.process_time() - started) * 1e6 / (len(text) / 1000)
    assert us_per_kb < MAX_US_PER_KB, f"{shape}: {us_per_kb:.0f} µs/KB"
