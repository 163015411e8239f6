"""The Faust app keeps its (empty) data folder out of the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from stream.app import StreamConfig, _faust_app


def test_starting_the_app_leaves_no_data_folder_in_the_working_directory(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "shop"
    work.mkdir()
    monkeypatch.chdir(work)
    app = _faust_app(StreamConfig(bootstrap="127.0.0.1:9", app_id="datadir-check"))
    app._create_directories()  # what Faust does when a worker starts
    assert list(work.iterdir()) == []
    assert app.conf.datadir.is_dir()
