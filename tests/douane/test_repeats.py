"""A broker outage does not flood the log: the Kafka clients' repeated lines pass once a minute."""

from __future__ import annotations

import logging

from douane.cli.repeats import RepeatLimit


class Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _record(name: str, msg: str, *args) -> logging.LogRecord:
    return logging.LogRecord(name, logging.ERROR, __file__, 1, msg, args, None)


def test_a_client_line_repeated_passes_once_a_window_and_says_how_many_were_held() -> None:
    clock = Clock()
    limit = RepeatLimit(60.0, clock)
    template = "Unable connect to node with id %s: %s"
    passed = [limit.filter(_record("aiokafka", template, 1, "refused")) for _ in range(500)]
    assert passed.count(True) == 1
    clock.t = 61.0
    later = _record("aiokafka", template, 1, "refused")
    assert limit.filter(later) and "499 more like it" in later.getMessage()
    assert limit.filter(_record("aiokafka.consumer.fetcher", "Failed fetch messages from %s", 1)), "another template"


def test_douane_own_lines_are_never_held() -> None:
    limit = RepeatLimit(60.0, Clock())
    assert all(limit.filter(_record("collector.gateway.app", "spooled %d events", 3)) for _ in range(50))
    assert all(limit.filter(_record("kafkaesque", "not a Kafka client", 3)) for _ in range(5))
