"""The jar folder is current only when it was resolved from the current pom.xml."""

from __future__ import annotations

from pathlib import Path

import pytest

from deploy.kafka.jars import STAMP, JarsError, _pom_digest, jars_present, kafka_version


def test_stamp_must_match_the_pom(tmp_path: Path) -> None:
    assert not jars_present(tmp_path)
    (tmp_path / STAMP).write_text("0" * 64)
    assert not jars_present(tmp_path), "a pom change must trigger a new fetch"
    (tmp_path / STAMP).write_text(_pom_digest())
    assert jars_present(tmp_path)


def test_version_is_read_from_the_jar_name(tmp_path: Path) -> None:
    with pytest.raises(JarsError, match="douane kafka fetch"):
        kafka_version(tmp_path)
    (tmp_path / "kafka_2.13-4.1.1.jar").touch()
    assert kafka_version(tmp_path) == "4.1.1"
