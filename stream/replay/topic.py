"""Read a window back from a Kafka topic without a consumer group: nothing is committed, nothing written.

Kafka's record timestamps are publish times, not event times. The reader seeks every
partition to the first record published at or after ``window.start - margin`` (taps'
clocks and the broker's may differ) and reads to the end offsets it saw when it started,
so events drained late from a collector's spool are still found; the caller filters on
the event's own ``observed_at``. ``late`` bounds the read for old windows: a partition
stops at the first record published more than ``late`` after the window's end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError

from stream.replay.window import ReplayError, Window

Progress = Callable[[int, int], None]
"""Called with (records read, records to read)."""


@dataclass(frozen=True)
class Span:
    """Where reading starts and stops in each partition, and whether retention kept the window."""

    start: dict[TopicPartition, int]
    end: dict[TopicPartition, int]
    held: bool

    @property
    def total(self) -> int:
        """Records between the start and end offsets, over all partitions."""
        return sum(self.end[tp] - self.start[tp] for tp in self.end)


class TopicReader:
    """Reads one topic's records around a window of event time."""

    def __init__(self, bootstrap: str, topic: str, margin: timedelta = timedelta(minutes=5),
                 late: timedelta | None = None, published_after: datetime | None = None) -> None:
        self.bootstrap = bootstrap
        self.topic = topic
        self.margin = margin
        self.late = late
        self.published_after = published_after

    def span(self, consumer: KafkaConsumer, window: Window) -> Span:
        """The offsets to read, found by timestamp; ``held`` is False when retention removed part of the window."""
        partitions = [TopicPartition(self.topic, p) for p in sorted(consumer.partitions_for_topic(self.topic) or ())]
        if not partitions:
            raise ReplayError(f"topic {self.topic} does not exist on {self.bootstrap}: run 'douane kafka topics'")
        seek = window.start - self.margin
        if self.published_after is not None:
            seek = max(seek, self.published_after)
        found = consumer.offsets_for_times({tp: _ms(seek) for tp in partitions})
        first, end = consumer.beginning_offsets(partitions), consumer.end_offsets(partitions)
        start = {tp: found[tp].offset if found[tp] is not None else end[tp] for tp in partitions}
        # A partition whose first kept record is the seek's answer may have lost older records of the window.
        held = all(first[tp] == 0 or start[tp] > first[tp] or (found[tp] is None and end[tp] > first[tp])
                   for tp in partitions)
        return Span(start, end, held)

    def records(self, window: Window, progress: Progress | None = None) -> Iterator:
        """Every record published in the span (ConsumerRecord objects), partition by partition in offset order."""
        consumer = self._consumer()
        try:
            span = self.span(consumer, window)
            yield from self._read(consumer, span, window, progress)
        finally:
            consumer.close()

    def holds(self, window: Window) -> bool:
        """Whether the topic still holds the whole window (retention removed none of it)."""
        consumer = self._consumer()
        try:
            return self.span(consumer, window).held
        finally:
            consumer.close()

    def _read(self, consumer: KafkaConsumer, span: Span, window: Window, progress: Progress | None) -> Iterator:
        todo = {tp for tp in span.end if span.start[tp] < span.end[tp]}
        consumer.assign(list(todo))
        for tp in todo:
            consumer.seek(tp, span.start[tp])
        stop_ms = _ms(window.end + self.late) if self.late is not None else None
        done, total = 0, span.total
        while todo:
            for tp, batch in consumer.poll(timeout_ms=1000, max_records=5000).items():
                for record in batch:
                    if tp not in todo:
                        break
                    if record.offset >= span.end[tp] or (stop_ms is not None and record.timestamp > stop_ms):
                        todo.discard(tp)
                        break
                    done += 1
                    yield record
            todo -= {tp for tp in todo if consumer.position(tp) >= span.end[tp]}
            consumer.pause(*[tp for tp in consumer.assignment() if tp not in todo])
            if progress is not None:
                progress(done, total)

    def _consumer(self) -> KafkaConsumer:
        try:
            return KafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                 max_partition_fetch_bytes=16 * 1024 * 1024)
        except KafkaError as exc:
            raise ReplayError(f"cannot reach Kafka at {self.bootstrap}: {exc}") from None


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)
