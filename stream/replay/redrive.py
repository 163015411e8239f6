"""``douane replay --redrive``: send the window's redirected requests to the sovereign worker again.

Not read-only, and kept apart from the replay for that reason: each request found on
``douane.redirect`` for a redirected call of the window is published again under a new
correlation id and a fresh deadline, and the worker's answers are collected from
``douane.responses``. ``douane.redirect`` keeps requests for one hour only (they carry
content), so older calls are reported as missing. Answers are reported by status, engine,
latency and length, never by their text.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from pydantic import BaseModel

from douane.contract import TOPICS, DecodeError, decode_redirect, decode_response, encode
from stream.replay.topic import TopicReader
from stream.replay.window import Window


class Answer(BaseModel):
    """The worker's answer to one re-sent request."""

    event_id: str
    correlation_id: str
    status: str
    engine: str
    model: str
    latency_ms: float
    answer_chars: int
    error: str | None = None


class RedriveResult(BaseModel):
    """What was re-sent, what came back, and which redirected calls had no request left to send."""

    redirected_calls: int
    sent: int
    answers: list[Answer]
    missing: list[str]
    unanswered: list[str]


def redrive(bootstrap: str, window: Window, event_ids: list[str], margin: timedelta = timedelta(minutes=5),
            timeout: float = 60.0) -> RedriveResult:
    """Re-send the requests of ``event_ids`` found on douane.redirect around ``window`` and wait for the answers."""
    requests = _requests(bootstrap, window, set(event_ids), margin)
    fresh = {eid: req.model_copy(update={"correlation_id": uuid.uuid4(),
                                         "deadline": datetime.now(timezone.utc) + timedelta(seconds=timeout)})
             for eid, req in requests.items()}
    answers = _send_and_collect(bootstrap, fresh, timeout)
    by_correlation = {str(r.correlation_id): eid for eid, r in fresh.items()}
    return RedriveResult(redirected_calls=len(event_ids), sent=len(fresh),
                         answers=[_answer(by_correlation[str(a.correlation_id)], a) for a in answers.values()],
                         missing=[e for e in event_ids if e not in requests],
                         unanswered=[e for e, r in fresh.items() if str(r.correlation_id) not in answers])


def _requests(bootstrap: str, window: Window, wanted: set[str], margin: timedelta) -> dict:
    found = {}
    for record in TopicReader(bootstrap, TOPICS.redirect.name, margin=margin).records(window):
        try:
            request = decode_redirect(record.value)
        except DecodeError:
            continue
        if request.event_id is not None and str(request.event_id) in wanted:
            found.setdefault(str(request.event_id), request)
    return found


def _send_and_collect(bootstrap: str, requests: dict, timeout: float) -> dict:
    """Listen on douane.responses from its current end, send, and gather the answers until all came or timeout."""
    if not requests:
        return {}
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    try:
        parts = [TopicPartition(TOPICS.responses.name, p) for p in consumer.partitions_for_topic(TOPICS.responses.name)]
        consumer.assign(parts)
        for tp, end in consumer.end_offsets(parts).items():
            consumer.seek(tp, end)
        _send(bootstrap, requests.values())
        wanted = {str(r.correlation_id) for r in requests.values()}
        return _collect(consumer, wanted, time.monotonic() + timeout)
    finally:
        consumer.close()


def _send(bootstrap: str, requests) -> None:
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=2 * 1024 * 1024)
    try:
        for request in requests:
            producer.send(TOPICS.redirect.name, key=str(request.correlation_id).encode(), value=encode(request))
        producer.flush(timeout=30)
    finally:
        producer.close()


def _collect(consumer: KafkaConsumer, wanted: set[str], deadline: float) -> dict:
    answers = {}
    while set(answers) != wanted and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            for record in batch:
                try:
                    reply = decode_response(record.value)
                except DecodeError:
                    continue
                if str(reply.correlation_id) in wanted:
                    answers[str(reply.correlation_id)] = reply
    return answers


def _answer(event_id: str, reply) -> Answer:
    return Answer(event_id=event_id, correlation_id=str(reply.correlation_id), status=reply.status.value,
                  engine=reply.engine, model=reply.model, latency_ms=reply.latency_ms, answer_chars=len(reply.text),
                  error=f"{reply.error.kind}: {reply.error.message}" if reply.error else None)


def lines(result: RedriveResult) -> list[str]:
    """The redrive's own section for the terminal."""
    out = [f"redrive (sent to {TOPICS.redirect.name}; this part is not read-only): {result.redirected_calls} "
           f"redirected call(s), {result.sent} request(s) sent again, {len(result.answers)} answered"]
    for a in result.answers:
        why = f" ({a.error})" if a.error else ""
        out.append(f"  {a.event_id}  {a.status:<5} {a.engine}/{a.model}  {a.latency_ms:.0f} ms  "
                   f"{a.answer_chars} chars{why}")
    if result.missing:
        out.append(f"  {len(result.missing)} call(s) had no request left on {TOPICS.redirect.name} (kept 1 h), "
                   f"e.g. {result.missing[0]}")
    if result.unanswered:
        out.append(f"  {len(result.unanswered)} request(s) got no answer in time: is 'douane inference worker' running?")
    return out
