"""stream/: the Faust pipeline that audits every tapped AI call."""

from stream.app import StreamApp, StreamConfig
from stream.dlq import DeadLetter, Origin, read_headers
from stream.handlers import CountingHandler, EventHandler
from stream.runner import EmbeddedWorker, run_worker

__all__ = [
    "CountingHandler",
    "DeadLetter",
    "EmbeddedWorker",
    "EventHandler",
    "Origin",
    "StreamApp",
    "StreamConfig",
    "read_headers",
    "run_worker",
]
