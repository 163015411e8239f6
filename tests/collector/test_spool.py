"""The spool: durable, ordered, and a torn last line (crash mid-append) is not a record."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.gateway import load_gateway_config
from collector.spool import Spool


def test_records_drain_in_order_and_the_cursor_survives_a_restart(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    for i in range(5):
        spool.append(f'{{"n":{i}}}'.encode())
    first_two = spool.pending(limit=2)
    spool.commit(first_two[-1][1])
    spool.close()
    reopened = Spool(tmp_path)
    assert [r for r, _ in reopened.pending()] == [b'{"n":2}', b'{"n":3}', b'{"n":4}']
    reopened.commit(reopened.pending()[-1][1])
    assert reopened.empty and reopened.log_path.stat().st_size == 0  # truncated once drained


def test_a_torn_last_line_is_left_for_later(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    spool.append(b'{"n":1}')
    with open(spool.log_path, "ab") as log:
        log.write(b'{"n":2')  # no newline: the process died mid-write
    assert [r for r, _ in spool.pending()] == [b'{"n":1}']
    with pytest.raises(ValueError):
        spool.append(b"two\nlines")


def test_the_example_gateway_config_loads_and_bad_files_are_named(tmp_path: Path) -> None:
    examples = Path(__file__).parents[2] / "deploy" / "examples"
    assert load_gateway_config(examples / "gateway.yaml").tenants[0].id == "shop-berlin"
    bad = tmp_path / "gw.yaml"
    bad.write_text("tenants:\n  - id: Shop Berlin\n    key_sha256: nope\n    policy: x.yaml\n")
    with pytest.raises(ValueError, match="gw.yaml") as caught:
        load_gateway_config(bad)
    assert "key_sha256" in str(caught.value)
