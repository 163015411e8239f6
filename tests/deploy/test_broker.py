"""The local broker: start, idempotence, status, stop, restart, and clear errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.admin import ConfigResource, ConfigResourceType

from deploy.kafka import BrokerError, JarsError, LocalBroker, ensure_topics
from deploy.kafka.probe import broker_answers
from douane.contract import TOPICS

pytestmark = pytest.mark.kafka


def test_lifecycle_is_idempotent_and_keeps_data(tmp_path: Path, kafka_libs: Path) -> None:
    broker = LocalBroker(tmp_path, port=0, controller_port=0, libs=kafka_libs)
    assert not broker.status().running

    first = broker.up()
    assert first.running and first.answering and first.bootstrap.startswith("127.0.0.1:")
    assert first.version.startswith("4.1.")
    assert broker.up().pid == first.pid, "a second up() must not start a second broker"

    ensure_topics(first.bootstrap, 2)
    assert broker.down() is True
    assert not broker.status().running
    assert not broker_answers(first.bootstrap, timeout=1)
    assert broker.down() is False

    again = broker.up()
    assert again.bootstrap == first.bootstrap, "restarts keep the same address"
    states = ensure_topics(again.bootstrap, 2)
    assert [s.created for s in states] == [False] * len(states), "topics survive a restart"
    broker.down()


def test_missing_java_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JarsError, match="'java' is not on PATH.*openjdk"):
        LocalBroker(tmp_path / "state", port=0, controller_port=0).up()


def test_missing_maven_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from deploy.kafka import fetch_jars

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(JarsError, match="'mvn' is not on PATH.*maven"):
        fetch_jars(tmp_path / "libs")


def test_taken_port_is_named(tmp_path: Path, kafka_libs: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        taken = s.getsockname()[1]
        with pytest.raises(BrokerError, match=f"port {taken} .* taken"):
            LocalBroker(tmp_path, port=taken, controller_port=0, libs=kafka_libs).up()


def test_a_broker_that_dies_at_start_reports_its_output(tmp_path: Path, kafka_libs: Path) -> None:
    broker = LocalBroker(tmp_path, port=0, controller_port=0, heap="1m", libs=kafka_libs)
    with pytest.raises(BrokerError, match="(?s)exited during start-up.*heap"):
        broker.up(timeout=60)
    assert not broker.status().running


def test_topics_carry_the_contract_retention(kafka_bootstrap: str) -> None:
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        resources = [ConfigResource(ConfigResourceType.TOPIC, t.name) for t in TOPICS.all()]
        described = admin.describe_configs(resources)
    finally:
        admin.close()
    retention = _retention_by_topic(described)
    assert retention == {t.name: str(t.retention_ms) for t in TOPICS.all()}
    assert int(retention["douane.redirect"]) < 3600000, "raw requests are gone within the hour"


def _retention_by_topic(described: dict) -> dict[str, str]:
    return {name: configs["retention.ms"]["value"] for name, configs in described["topic"].items()}
