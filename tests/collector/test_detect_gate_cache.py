"""The compiled gate is kept on disk: a second process loads it instead of compiling (~10 s of CPU
for the full detector set), a changed pattern never loads a stale database, a broken file is
compiled again, and a folder that cannot be written only costs the compile."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from collector.detect import gate as gate_module
from collector.detect.gate import Gate

from tests.collector.test_detect_gate import NEEDS_C_SCAN, X86_64

pytestmark = pytest.mark.skipif(not X86_64, reason="the hyperscan wheel is x86-64 only: elsewhere nothing is cached")
PATTERNS = [(r"[\w.+-]+@[\w-]+\.[\w.]+", True), (r"\bDE\d{2}(?: ?\d{4}){4} ?\d{2}\b", False)]
TEXT = "write to lena.vogt@example.de, IBAN DE89 3704 0044 0532 0130 00 please"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("DOUANE_GATE_CACHE", str(tmp_path / "gates"))
    return tmp_path / "gates"


def files(cache: Path) -> list[Path]:
    return sorted(cache.glob("gate-*.hsdb"))


def test_a_second_gate_loads_the_first_ones_database(cache: Path, monkeypatch) -> None:
    first = Gate(PATTERNS)
    assert first.native and len(files(cache)) == 1
    monkeypatch.setattr(gate_module.hyperscan, "Database", _must_not_compile)
    second = Gate(PATTERNS)
    assert second.native and second.spans(TEXT) == first.spans(TEXT) and second.spans(TEXT)


def test_a_changed_pattern_gets_a_database_of_its_own(cache: Path) -> None:
    Gate(PATTERNS)
    changed = Gate([PATTERNS[0], (PATTERNS[1][0], True)])  # one flag differs
    assert len(files(cache)) == 2 and changed.spans(TEXT)


def test_a_broken_file_is_compiled_again_and_replaced(cache: Path, caplog) -> None:
    Gate(PATTERNS)
    (path,) = files(cache)
    path.write_bytes(b"not a hyperscan database")
    with caplog.at_level(logging.WARNING, logger="collector.detect.gate_cache"):
        again = Gate(PATTERNS)
    assert again.spans(TEXT) and "does not load" in caplog.text and str(path) in caplog.text
    assert path.read_bytes() != b"not a hyperscan database"


def test_a_folder_that_cannot_be_written_only_costs_the_compile(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DOUANE_GATE_CACHE", str(blocker / "gates"))  # under a file: mkdir fails
    assert Gate(PATTERNS).spans(TEXT)


def _must_not_compile(*args, **kwargs):
    raise AssertionError("compiled although a cached database was there")


@NEEDS_C_SCAN
def test_a_kept_c_gate_that_loads_but_does_not_fit_is_compiled_again(cache: Path, caplog) -> None:
    Gate(PATTERNS, "c")
    [kept] = files(cache)
    kept.write_bytes(b"\x07\x00\x00\x00" + kept.read_bytes()[4:])  # its pattern count damaged: 7, not 2
    with caplog.at_level(logging.WARNING):
        again = Gate(PATTERNS, "c")
    assert again.engine == "c" and again.spans(TEXT) == Gate(PATTERNS, "hyperscan").spans(TEXT)
    assert "does not fit" in caplog.text and kept.read_bytes()[:4] == b"\x02\x00\x00\x00"
