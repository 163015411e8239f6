"""stream/replay: re-read an incident window by event time and judge it again under given rules.

Read-only: nothing is committed, published, alerted or written.
"""

from stream.replay.judge import Judgement, Replayed
from stream.replay.report import ReplayReport
from stream.replay.run import ReplayConfig, replay
from stream.replay.topic import TopicReader
from stream.replay.window import ReplayError, Window, parse_time

__all__ = ["Judgement", "ReplayConfig", "ReplayError", "ReplayReport", "Replayed", "TopicReader", "Window",
           "parse_time", "replay"]
