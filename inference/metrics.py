"""Prometheus metrics of one worker, in a registry of its own (several workers per process in tests)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class WorkerMetrics:
    """Requests by outcome, answer latency, and what is in flight."""

    def __init__(self, engine: str) -> None:
        self.registry = CollectorRegistry()
        self.replies = Counter("douane_inference_replies", "answers sent, by status and error kind",
                               ["engine", "status", "kind"], registry=self.registry)
        self.latency = Histogram("douane_inference_latency_seconds", "time to answer one request",
                                 ["engine"], registry=self.registry,
                                 buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60))
        self.in_flight = Gauge("douane_inference_in_flight", "requests being answered",
                               ["engine"], registry=self.registry)
        self.engine = engine

    def reply(self, status: str, kind: str = "") -> None:
        """Count one answer sent."""
        self.replies.labels(self.engine, status, kind).inc()

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
