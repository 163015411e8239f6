"""Does a broker answer? A TCP connect (``accepts_connections``, cheap enough for a gateway's idle check),
then a real metadata request (``broker_answers``)."""

from __future__ import annotations

import logging
import socket

from kafka import KafkaAdminClient
from kafka.errors import KafkaError


def broker_answers(bootstrap: str | None, timeout: float = 5.0) -> bool:
    """True when ``bootstrap`` accepts a connection and answers a DescribeCluster request."""
    return bool(bootstrap) and accepts_connections(bootstrap, timeout) and _metadata_ok(bootstrap, timeout)


def accepts_connections(bootstrap: str, timeout: float) -> bool:
    """Whether any of the bootstrap servers (``host:port,...``) accepts a TCP connection; each connect
    waits at most ``timeout``. A stopped broker refuses at once; a frozen one still accepts."""
    for address in bootstrap.split(","):
        host, _, port = address.strip().split("://")[-1].rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def _metadata_ok(bootstrap: str, timeout: float) -> bool:
    quiet = logging.getLogger("kafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a broker that is still starting makes kafka-python noisy
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="douane-probe",
                                 request_timeout_ms=int(timeout * 1000), bootstrap_timeout_ms=int(timeout * 1000))
        try:
            return bool(admin.describe_cluster().get("brokers"))
        finally:
            admin.close()
    except (KafkaError, OSError, ValueError):
        return False
    finally:
        quiet.setLevel(level)
