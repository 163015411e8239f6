"""The Kafka clients' connection errors, once per minute each, not hundreds of times.

During a broker outage aiokafka and kafka-python log the same few lines for every retry
(about 1,900 ERROR lines from one gateway in a one-minute outage). Each distinct message
template of those loggers passes once per ``window`` seconds; the next one that passes says
how many were held back meanwhile. Douane's own loggers are never limited.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

CLIENTS = ("kafka", "aiokafka")


class RepeatLimit(logging.Filter):
    """Lets each (logger, template) of the Kafka clients through once per ``window`` seconds."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self._last: dict[tuple[str, str], float] = {}
        self._held: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """True for a record to print (perhaps with a note of those held back)."""
        if not _client(record.name):
            return True
        key, now = (record.name, str(record.msg)), self.clock()
        if now - self._last.get(key, -self.window) < self.window:
            self._held[key] = self._held.get(key, 0) + 1
            return False
        self._last[key] = now
        held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} (and {held} more like it in the last {self.window:.0f} s)"
        return True


def _client(name: str) -> bool:
    return any(name == c or name.startswith(c + ".") for c in CLIENTS)


def limit_client_repeats(window: float = 60.0) -> None:
    """Put the limit on every handler of the root logger (where the clients' records end up)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RepeatLimit) for f in handler.filters):
            handler.addFilter(RepeatLimit(window))
