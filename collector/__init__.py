"""collector/: taps every AI call and publishes an ``AICallEvent`` to Kafka."""

from collector.publisher import EventPublisher
from collector.synthetic import TrafficGenerator

__all__ = ["EventPublisher", "TrafficGenerator"]
