"""``douane ledger verify --metrics-file/--push-gateway``: the outcome reaches Prometheus, for the
"ledger verify failing" and "ledger not verified lately" alerts."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from douane.cli.main import app
from stream.store import StoreWriter
from tests.stream.store_helpers import audited


@pytest.fixture
def store(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("DOUANE_STORE", raising=False)
    StoreWriter(tmp_path / "home" / "store").write(audited(30))
    return tmp_path / "home" / "store"


def verify(*args: str):
    return CliRunner().invoke(app, ["ledger", "verify", *args], catch_exceptions=False)


def samples(text: str) -> dict[str, float]:
    return {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples}


def test_an_intact_store_is_written_as_intact(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "textfile" / "douane-ledger.prom"
    out.parent.mkdir()
    before = time.time()
    result = verify("--metrics-file", str(out))
    assert result.exit_code == 0, result.output
    figures = samples(out.read_text())
    assert figures["douane_ledger_verify_intact"] == 1 and figures["douane_ledger_verify_ran"] == 1
    assert figures["douane_ledger_verify_problems"] == 0 and figures["douane_ledger_verify_calls"] == 30
    assert figures["douane_ledger_verify_last_run_timestamp_seconds"] >= before
    assert f'store="{store}"' in out.read_text()


def test_a_tampered_store_is_written_as_not_intact(store: Path, tmp_path: Path) -> None:
    next(store.glob("calls/**/*.parquet")).unlink()
    out = tmp_path / "douane-ledger.prom"
    result = verify("--metrics-file", str(out))
    assert result.exit_code == 1
    figures = samples(out.read_text())
    assert figures["douane_ledger_verify_intact"] == 0 and figures["douane_ledger_verify_problems"] >= 1


def test_a_store_that_cannot_be_read_counts_as_not_intact(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("DOUANE_HOME", str(tmp_path / "home"))
    out = tmp_path / "douane-ledger.prom"
    result = verify("--store", str(tmp_path / "nowhere"), "--public-key", str(_stray_key(tmp_path)),
                    "--metrics-file", str(out))
    assert result.exit_code != 0
    figures = samples(out.read_text())
    assert figures["douane_ledger_verify_ran"] == 0 and figures["douane_ledger_verify_intact"] == 0


def _stray_key(tmp_path: Path) -> Path:
    from stream.store.signing import load_or_create, public_path

    load_or_create(tmp_path / "k" / "ledger.ed25519")
    return public_path(tmp_path / "k" / "ledger.ed25519")


class _Pushgateway(BaseHTTPRequestHandler):
    """A stand-in for a Prometheus Pushgateway: keeps each pushed group's body by its URL path."""

    pushed: dict[str, bytes] = {}

    def do_PUT(self) -> None:  # noqa: N802 (the HTTP verb)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).pushed[self.path] = body
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_the_outcome_is_pushed_to_a_pushgateway(store: Path) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pushgateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = verify("--push-gateway", f"127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
    assert result.exit_code == 0, result.output
    (path, body), = _Pushgateway.pushed.items()
    assert path.startswith("/metrics/job/douane-ledger-verify/store")
    assert b"douane_ledger_verify_intact" in body


def test_a_pushgateway_that_is_down_does_not_hide_the_verdict(store: Path) -> None:
    result = verify("--push-gateway", "127.0.0.1:9")  # nothing listens on the discard port
    assert result.exit_code == 0 and "intact" in result.stdout
    assert "cannot push the metrics to the Pushgateway 127.0.0.1:9" in result.stderr


def test_the_documented_names_are_the_ones_written(store: Path, tmp_path: Path) -> None:
    import re

    docs = (Path(__file__).parents[2] / "docs" / "operations.md").read_text()
    documented = set(re.findall(r"^\| `(douane_ledger_verify_\w+)` \| `ledger verify` \|", docs, re.M))
    out = tmp_path / "douane-ledger.prom"
    verify("--metrics-file", str(out))
    assert documented and documented == set(samples(out.read_text()))
