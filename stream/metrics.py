"""What the stream worker and the store sink report on ``/metrics`` (read from their counters at scrape time)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from prometheus_client import CollectorRegistry
from prometheus_client.core import Metric

from douane.metrics import counter, gauge, registry_of


def worker_registry(app) -> CollectorRegistry:
    """The registry of a :class:`stream.StreamApp`: judging, findings, lag, and its incident desk's alerts."""
    return registry_of(lambda: [*_judging(app), *_alerts(app.desk)])


def sink_registry(sink) -> CollectorRegistry:
    """The registry of a :class:`stream.StoreSink`: batches, rows, write time, lag."""
    return registry_of(lambda: _sinking(sink))


def _judging(app) -> Iterable[Metric]:
    judge = app.judge
    by_rule: Counter[str] = Counter()
    for stage in app.stages:
        by_rule.update(getattr(stage, "by_rule", {}))
    yield counter("douane_stream_events_judged", "calls decoded, evaluated and passed through every stage",
                  judge.judged)
    yield counter("douane_stream_batches", "batches judged (one commit each)", judge.polls)
    yield counter("douane_stream_findings", "findings published to douane.findings, by rule",
                  {(rule,): n for rule, n in by_rule.items()}, ("rule",))
    yield counter("douane_stream_dead_letters", "records this worker sent to douane.dlq", app.dead_letters)
    yield gauge("douane_stream_lag", "records of douane.ai-calls not yet judged, per partition this worker owns",
                {(str(tp.partition),): n for tp, n in _lag(judge.consumer, judge.committed).items()}, ("partition",))
    yield gauge("douane_stream_partitions", "partitions of douane.ai-calls this worker judges",
                len(judge.assignment()))


def _alerts(desk) -> Iterable[Metric]:
    if desk is None:
        return
    yield counter("douane_alerts_sent", "alert messages Slack accepted", desk.alerts_sent)
    yield counter("douane_alerts_reminders", "reminders posted in incident threads", desk.reminders_sent)
    yield gauge("douane_alerts_pending", "incidents whose latest state Slack has not taken yet",
                len(desk.outbox.pending_errors))
    yield counter("douane_alerts_delivery_failures", "Slack deliveries that failed and will be retried",
                  desk.outbox.failed_deliveries)
    yield counter("douane_alerts_redelivered", "findings and signals records Kafka delivered again, not counted again",
                  desk.redelivered)
    yield gauge("douane_alerts_outbox_entries", "entries the Slack outbox keeps in memory, by what they are for",
                {(memory,): n for memory, n in desk.outbox.held().items()}, ("memory",))


def _sinking(sink) -> Iterable[Metric]:
    yield counter("douane_sink_batches", "batches written to the store", sink.batches)
    yield counter("douane_sink_rows", "calls written to the store", sink.stored)
    yield counter("douane_sink_duplicates", "redelivered calls the store already had", sink.duplicates)
    yield counter("douane_sink_dead_letters", "records the sink sent to douane.dlq", sink.dead_letters)
    yield counter("douane_sink_write_seconds", "time spent writing batches (Parquet and ledger)", sink.write_seconds)
    yield gauge("douane_sink_lag", "records not yet in the store, per partition this sink owns",
                {(tp.topic, str(tp.partition)): n for tp, n in _lag(sink.consumer, sink.committed).items()},
                ("topic", "partition"))


def _lag(consumer, committed: dict) -> dict:
    if consumer is None:
        return {}
    out = {}
    for tp in consumer.assignment():
        end = consumer.highwater(tp)
        if end is not None:
            out[tp] = max(0, end - committed.get(tp, end))
    return out
