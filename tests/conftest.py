"""Session fixtures shared by every test folder: a real Kafka broker, found or started.

Order: ``DOUANE_KAFKA_BOOTSTRAP`` from the environment; testcontainers when a Docker
engine answers a ping; else a local broker from the project's own jars, started once
per session in a temporary folder and stopped at the end. A test that needs Kafka
never skips: when no broker can be had, it fails with the reason.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from douane.settings import Settings

if TYPE_CHECKING:
    from deploy.kafka import LocalBroker

logger = logging.getLogger(__name__)


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=3).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "no engine here"
        return False


@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """host:port of a real broker with Douane's topics created."""
    from deploy.kafka import ensure_topics

    with _broker(tmp_path_factory) as address:
        ensure_topics(address, Settings().topic_partitions)
        yield address


class _broker:
    """Context manager yielding a bootstrap address from the first source that has one."""

    def __init__(self, tmp_path_factory: pytest.TempPathFactory) -> None:
        self.tmp = tmp_path_factory
        self._stop = lambda: None

    def __enter__(self) -> str:
        if os.environ.get("DOUANE_KAFKA_BOOTSTRAP"):
            return os.environ["DOUANE_KAFKA_BOOTSTRAP"]
        if _docker_answers():
            return self._container()
        return self._local()

    def __exit__(self, *exc: object) -> None:
        self._stop()

    def _container(self) -> str:
        from testcontainers.community.kafka import KafkaContainer

        container = KafkaContainer("confluentinc/cp-kafka:7.6.0").with_kraft()
        container.start()
        self._stop = container.stop
        return container.get_bootstrap_server()

    def _local(self) -> str:
        from deploy.kafka import LocalBroker

        libs = Settings().kafka_home.absolute() / "libs"
        broker = LocalBroker(self.tmp.mktemp("kafka"), port=0, controller_port=0, libs=libs)
        started = time.monotonic()
        status = broker.up(timeout=120)
        logger.info("local Kafka broker on %s in %.1f s", status.bootstrap, time.monotonic() - started)
        self._stop = broker.down
        return status.bootstrap


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[LocalBroker]:
    """A broker of this test's own, which it may stop and freeze without harming the others."""
    from deploy.kafka import LocalBroker, ensure_topics

    broker = LocalBroker(tmp_path / "kafka", port=0, controller_port=0,
                         libs=Settings().kafka_home.absolute() / "libs")
    ensure_topics(broker.up(timeout=120).bootstrap, Settings().topic_partitions)
    yield broker
    pid = broker.status().pid
    if pid:
        os.killpg(pid, signal.SIGCONT)
    broker.down()


@pytest.fixture
def unique() -> str:
    """A short unique suffix for tenant ids and consumer groups, so tests never share state."""
    import uuid

    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def kafka_libs() -> Path:
    """The folder of fetched broker jars (``make test`` fetches them first)."""
    from deploy.kafka import fetch_jars

    return fetch_jars(Settings().kafka_home.absolute() / "libs")
