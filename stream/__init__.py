"""stream/: the Faust pipeline that audits every tapped AI call."""

from stream.app import StreamApp, StreamConfig
from douane.contract.deadletter import DeadLetter, Origin, read_headers
from stream.policies import PolicySet, UnknownTenant
from stream.runner import EmbeddedWorker, run_worker
from stream.sink import SinkConfig, StoreSink
from stream.stages import CountingStage, FindingsPublisher, PerEventStage, Stage

__all__ = [
    "CountingStage",
    "DeadLetter",
    "EmbeddedWorker",
    "FindingsPublisher",
    "Origin",
    "PerEventStage",
    "PolicySet",
    "Stage",
    "SinkConfig",
    "StoreSink",
    "StreamApp",
    "StreamConfig",
    "UnknownTenant",
    "read_headers",
    "run_worker",
]
