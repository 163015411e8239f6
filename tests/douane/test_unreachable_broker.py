"""A broker that cannot be reached is named in one line, never a Kafka client's traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.helpers import free_port


def test_topics_against_an_unreachable_broker_name_it_without_a_traceback(tmp_path) -> None:
    address = f"127.0.0.1:{free_port()}"
    done = subprocess.run([str(Path(sys.executable).parent / "douane"), "kafka", "topics"], capture_output=True, text=True,
                          timeout=120, env={"PATH": "/usr/bin:/bin", "DOUANE_HOME": str(tmp_path),
                                            "DOUANE_KAFKA_BOOTSTRAP": address})
    assert done.returncode == 1
    assert f"cannot set up Douane's topics on Kafka at {address}" in done.stderr
    assert "Traceback" not in done.stderr and "╭" not in done.stderr
