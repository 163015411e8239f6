"""The spool: durable, ordered, owned by one process; a torn last line (crash mid-append) is cut off at
open with a warning, and a state file that cannot be read stops start-up naming itself."""

from __future__ import annotations

from pathlib import Path

import json
import logging
import os
import subprocess
import sys

import pytest

import collector.spool as spool_module
from collector.doubt import Doubt
from collector.gateway import load_gateway_config
from collector.spool import Spool, SpoolError


def test_records_drain_in_order_and_the_cursor_survives_a_restart(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for i in range(5):
        spool.append(f'{{"n":{i}}}'.encode())
    first_two = spool.pending(limit=2)
    spool.commit(first_two[-1][1], 2)
    spool.close()
    reopened = Spool(tmp_path)
    assert [r for r, _ in reopened.pending()] == [b'{"n":2}', b'{"n":3}', b'{"n":4}'] and len(reopened) == 3
    reopened.commit(reopened.pending()[-1][1], 3)
    assert reopened.empty and reopened.log_path.stat().st_size == 0  # truncated once drained
    assert len(reopened) == 0 and reopened.cursor_path.read_text() == "0"


def test_a_torn_last_line_is_cut_at_open_and_the_next_record_is_whole(tmp_path: Path, caplog) -> None:
    spool = Spool(tmp_path)
    spool.append(b'{"n":1}')
    spool.close()
    with open(tmp_path / "spool.log", "ab") as log:
        log.write(b'{"n":2')  # no newline: the process died mid-write
    with caplog.at_level(logging.WARNING, logger="collector.spool"):
        reopened = Spool(tmp_path)
    assert str(tmp_path / "spool.log") in caplog.text and "byte offset 8" in caplog.text
    reopened.append(b'{"n":3}')
    assert [r for r, _ in reopened.pending()] == [b'{"n":1}', b'{"n":3}']  # not glued onto the torn bytes
    with pytest.raises(ValueError):
        reopened.append(b"two\nlines")


def test_a_second_process_on_the_same_spool_is_refused(tmp_path: Path) -> None:
    first = Spool(tmp_path)
    other = subprocess.run([sys.executable, "-c", f"from pathlib import Path; from collector.spool import Spool; "
                            f"Spool(Path({str(tmp_path)!r}))"], capture_output=True, text=True, timeout=60)
    assert other.returncode != 0 and f"spool folder {tmp_path} is in use by another gateway (pid {os.getpid()})" \
        in other.stderr
    with pytest.raises(SpoolError, match="in use by another gateway"):
        Spool(tmp_path)
    first.close()
    Spool(tmp_path).close()  # free again once the owner let go


@pytest.mark.parametrize("name,content", [("doubt.json", "{not json"), ("doubt.json", "[1, 2]"),
                                          ("doubt.json", '{"floors": {"x": 1}}')])
def test_an_unreadable_doubt_ledger_names_itself_and_what_to_do(tmp_path: Path, name: str, content: str) -> None:
    (tmp_path / name).write_text(content)
    with pytest.raises(SpoolError, match=f"{tmp_path / name}.*Delete it"):
        Doubt(tmp_path / name)


@pytest.mark.parametrize("cursor", ["abc", "99999", "-1"])
def test_an_unreadable_cursor_names_itself_and_what_to_do(tmp_path: Path, cursor: str) -> None:
    Spool(tmp_path).close()
    (tmp_path / "spool.cursor").write_text(cursor)
    with pytest.raises(SpoolError, match="spool.cursor.*Delete it"):
        Spool(tmp_path)


def test_a_group_of_records_is_written_with_one_fsync(tmp_path: Path, monkeypatch) -> None:
    calls = []
    real = spool_module.sync_file
    monkeypatch.setattr(spool_module, "sync_file", lambda fd: (calls.append(fd), real(fd)))
    spool = Spool(tmp_path)
    spool.append_many([json.dumps({"n": i}).encode() for i in range(50)])
    assert len(calls) == 1 and len(spool) == 50


def test_the_example_gateway_config_loads_and_bad_files_are_named(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "deploy" / "examples"
    assert load_gateway_config(examples / "gateway.yaml").tenants[0].id == "shop-berlin"
    bad = tmp_path / "gw.yaml"
    bad.write_text("tenants:\n  - id: Shop Berlin\n    key_sha256: nope\n    policy: x.yaml\n")
    with pytest.raises(ValueError, match="gw.yaml") as caught:
        load_gateway_config(bad)
    assert "key_sha256" in str(caught.value)
