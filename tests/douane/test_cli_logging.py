"""The CLI's log lines: each printed once, on stderr."""

from __future__ import annotations

import subprocess
import sys

_SINK_LOGS = """
import logging
from douane.cli.common import setup_logging
from douane.cli.stream import sink_logging
setup_logging({level!r})
sink_logging()
logging.getLogger("stream.sink").info("stored batch 1: 250 new")
logging.getLogger("stream.store.writer").warning("declared #3 was written by another sink")
logging.getLogger("stream.sink").debug("a detail")
"""


def _sink_stderr(level: str) -> str:
    done = subprocess.run([sys.executable, "-c", _SINK_LOGS.format(level=level)], capture_output=True, text=True,
                          check=True, timeout=60)
    return done.stderr


def test_the_sink_prints_each_line_once_at_the_default_level() -> None:
    err = _sink_stderr("warning")
    assert err.count("stored batch 1: 250 new") == 1, err
    assert err.count("declared #3 was written by another sink") == 1, err
    assert "a detail" not in err


def test_the_sink_keeps_a_lower_level_asked_for() -> None:
    err = _sink_stderr("debug")
    assert err.count("a detail") == 1, err
    assert err.count("stored batch 1: 250 new") == 1, err
