"""The cheap broker check: a TCP connect to any of the bootstrap servers (the gateway's idle check uses it)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest

from deploy.kafka.probe import accepts_connections, broker_answers
from tests.helpers import free_port


@pytest.fixture
def listening() -> Iterator[int]:
    """A loopback port that accepts connections (and is no broker)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield s.getsockname()[1]


@pytest.fixture
def closed() -> int:
    """A loopback port nothing listens on."""
    return free_port()


@pytest.mark.parametrize(("addresses", "accepts"), [
    ("127.0.0.1:{open}", True),
    ("127.0.0.1:{closed},127.0.0.1:{open}", True),
    (" PLAINTEXT://127.0.0.1:{open} ", True),
    ("127.0.0.1:{closed}", False),
    ("127.0.0.1:{closed},127.0.0.1:{closed}", False),
    ("no-port-here", False),
    ("127.0.0.1:not-a-port", False),
])
def test_any_bootstrap_server_that_accepts_a_connection_will_do(addresses: str, accepts: bool, listening: int,
                                                                 closed: int) -> None:
    assert accepts_connections(addresses.format(open=listening, closed=closed), timeout=1.0) is accepts


def test_a_port_that_accepts_but_speaks_no_kafka_does_not_answer_within_the_timeout(listening: int,
                                                                                    closed: int) -> None:
    started = time.monotonic()
    assert not broker_answers(f"127.0.0.1:{listening}", timeout=1.0)
    assert time.monotonic() - started < 5, "the metadata request waited past its timeout"
    assert not broker_answers(f"127.0.0.1:{closed}", timeout=1.0)
    assert not broker_answers(None)
