"""A real single-node Apache Kafka (KRaft) broker, built from Maven Central jars."""

from deploy.kafka.broker import BrokerError, BrokerStatus, LocalBroker
from deploy.kafka.jars import JarsError, fetch_jars
from deploy.kafka.topics import ensure_topics

__all__ = ["BrokerError", "BrokerStatus", "JarsError", "LocalBroker", "ensure_topics", "fetch_jars"]
