"""Prometheus metrics read at scrape time, and the ``/metrics`` endpoint of the processes without a web app.

A component keeps plain counters on its objects (``judged``, ``stored``, ...); a :class:`ReadAtScrape`
turns them into metric families when Prometheus asks, so the hot path pays nothing for being measured.
Label sets stay bounded: tenants and providers come from the configuration, rules from the rule
catalogue, partitions from the topic; never an event id, a host seen on the wire, or free text.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

Families = Callable[[], Iterable[Metric]]


class ReadAtScrape(Collector):
    """A collector whose families are computed by ``read`` on every scrape."""

    def __init__(self, read: Families) -> None:
        self.read = read

    def collect(self) -> Iterable[Metric]:
        """The families as they are now."""
        return list(self.read())


def counter(name: str, doc: str, value: float | int | dict[tuple[str, ...], float], labels: tuple[str, ...] = ()
            ) -> CounterMetricFamily:
    """A counter family: one value, or one per label tuple (``name`` without ``_total``)."""
    family = CounterMetricFamily(name, doc, labels=list(labels))
    _fill(family, value)
    return family


def gauge(name: str, doc: str, value: float | int | dict[tuple[str, ...], float], labels: tuple[str, ...] = ()
          ) -> GaugeMetricFamily:
    """A gauge family: one value, or one per label tuple."""
    family = GaugeMetricFamily(name, doc, labels=list(labels))
    _fill(family, value)
    return family


def _fill(family, value) -> None:
    if isinstance(value, dict):
        for labels, v in value.items():
            family.add_metric(list(labels), v)
    else:
        family.add_metric([], value)


def registry_of(read: Families) -> CollectorRegistry:
    """A registry of its own (several components share a process in tests and the demo) serving ``read``."""
    registry = CollectorRegistry()
    registry.register(ReadAtScrape(read))
    return registry


def serve_metrics(registry: CollectorRegistry, port: int, bind: str = "0.0.0.0"):
    """Serve ``/metrics`` from ``registry`` on ``bind:port`` in a thread of this process; returns the
    server (``shutdown()`` stops it)."""
    server, _thread = start_http_server(port, addr=bind, registry=registry)
    logger.info("serving /metrics on %s:%d", bind, port)
    return server
