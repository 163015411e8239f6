"""Does a broker answer? A TCP connect, then a real metadata request."""

from __future__ import annotations

import logging
import socket

from kafka import KafkaAdminClient
from kafka.errors import KafkaError


def broker_answers(bootstrap: str | None, timeout: float = 5.0) -> bool:
    """True when ``bootstrap`` accepts a connection and answers a DescribeCluster request."""
    if not bootstrap:
        return False
    host, _, port = bootstrap.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except (OSError, ValueError):
        return False
    return _metadata_ok(bootstrap, timeout)


def _metadata_ok(bootstrap: str, timeout: float) -> bool:
    quiet = logging.getLogger("kafka")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # a broker that is still starting makes kafka-python noisy
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="douane-probe",
                                 request_timeout_ms=int(timeout * 1000))
        try:
            return bool(admin.describe_cluster().get("brokers"))
        finally:
            admin.close()
    except (KafkaError, OSError, ValueError):
        return False
    finally:
        quiet.setLevel(level)
