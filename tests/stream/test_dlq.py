"""``douane dlq list|replay`` on the real broker, with dead letters written the way the sink writes them."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timezone

import pytest
from aiokafka import AIOKafkaProducer
from kafka import KafkaConsumer, TopicPartition
from typer.testing import CliRunner

from douane.cli.main import app
from douane.contract import TOPICS, encode
from douane.contract.deadletter import DeadLetter, Origin
from douane.kafka_io import send_dead_letter
from stream.dlq import REPLAYED_FROM
from tests.helpers import make_event, read_all

runner = CliRunner()
SECRET = b"Patient Jane Roe, DOB 1970-01-01, asks about insulin"  # bytes a hostile or broken sender put in


async def _dead_letters(bootstrap: str, letters: list[DeadLetter]) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)
    await producer.start()
    try:
        for letter in letters:
            await (await send_dead_letter(producer, letter))
    finally:
        await producer.stop()


@pytest.fixture
def letters(kafka_bootstrap: str, monkeypatch: pytest.MonkeyPatch) -> dict:
    """Two dead letters of this test only: bytes that never were an event, and an event no policy governed."""
    monkeypatch.setenv("DOUANE_KAFKA_BOOTSTRAP", kafka_bootstrap)
    since = datetime.now(timezone.utc)  # the producer stamps its records after this
    tenant = f"orphan-{uuid.uuid4().hex[:8]}"
    event = make_event(tenant=tenant)
    origin = Origin(TOPICS.ai_calls.name, 0, 41)
    broken = DeadLetter(b"shop-x", b"{not json " + SECRET, "invalid AICallEvent: <root>: Invalid JSON", "decode", origin)
    orphan = DeadLetter(tenant.encode(), encode(event), f"evaluate failed: UnknownTenant: no policy governs tenant "
                        f"{tenant!r}", "evaluate", Origin(TOPICS.ai_calls.name, 1, 42))
    asyncio.run(_dead_letters(kafka_bootstrap, [broken, orphan]))
    return {"since": since.isoformat(), "event": event, "tenant": tenant}


def test_list_says_what_and_why_never_the_bytes(letters: dict) -> None:
    result = runner.invoke(app, ["dlq", "list", "--since", letters["since"]])

    assert result.exit_code == 1, result.output  # 1: the DLQ holds dead letters
    assert "decode    douane.ai-calls/0@41" in result.output and "Invalid JSON" in result.output
    assert f"evaluate  douane.ai-calls/1@42" in result.output and letters["tenant"] in result.output
    assert "2 dead letter(s):" in result.output
    assert "Jane Roe" not in result.output and "insulin" not in result.output


def test_list_json_and_filters(letters: dict) -> None:
    result = runner.invoke(app, ["dlq", "list", "--since", letters["since"], "--stage", "evaluate", "--json"])

    assert result.exit_code == 1, result.output
    [only] = json.loads(result.stdout)
    assert only["stage"] == "evaluate" and only["source"] == "douane.ai-calls/1@42"
    assert set(only) == {"partition", "offset", "at", "stage", "source", "reason", "bytes"}


def test_replay_sends_back_what_now_decodes_and_keeps_what_would_fail_again(kafka_bootstrap: str,
                                                                              letters: dict) -> None:
    result = runner.invoke(app, ["dlq", "replay", "--since", letters["since"]])

    assert result.exit_code == 1, result.output  # 1: one letter was kept back
    assert "kept     douane.ai-calls/0@41" in result.output and "still not a valid event" in result.output
    assert "sent 1 dead letter(s) back; kept back 1" in result.output
    event_id = str(letters["event"].event_id).encode()
    back = read_all(kafka_bootstrap, TOPICS.ai_calls.name, predicate=lambda r: event_id in (r.value or b""))
    assert len(back) == 1 and back[0].value == encode(letters["event"])
    assert dict(back[0].headers)[REPLAYED_FROM].startswith(f"{TOPICS.dlq.name}/".encode())


def test_a_letter_already_sent_back_is_not_sent_twice_unless_asked(kafka_bootstrap: str, letters: dict) -> None:
    args = ["dlq", "replay", "--since", letters["since"], "--stage", "evaluate"]
    assert runner.invoke(app, args).exit_code == 0

    again = runner.invoke(app, args)

    assert again.exit_code == 1, again.output  # kept back
    assert "already sent back" in again.output and "sent 0 dead letter(s) back; kept back 1" in again.output
    event_id = str(letters["event"].event_id).encode()
    assert len(read_all(kafka_bootstrap, TOPICS.ai_calls.name, predicate=lambda r: event_id in (r.value or b""))) == 1
    forced = runner.invoke(app, [*args, "--again"])
    assert forced.exit_code == 0 and "sent 1 dead letter(s) back" in forced.output
    assert len(read_all(kafka_bootstrap, TOPICS.ai_calls.name, predicate=lambda r: event_id in (r.value or b""))) == 2


def test_dry_run_sends_nothing(kafka_bootstrap: str, letters: dict) -> None:
    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap)
    parts = [TopicPartition(TOPICS.ai_calls.name, p) for p in consumer.partitions_for_topic(TOPICS.ai_calls.name)]
    before = consumer.end_offsets(parts)

    result = runner.invoke(app, ["dlq", "replay", "--since", letters["since"], "--stage", "evaluate", "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would send 1 dead letter(s) back; kept back 0" in result.output
    assert consumer.end_offsets(parts) == before
    consumer.close()


def test_a_bad_since_is_a_usage_error(letters: dict) -> None:
    result = runner.invoke(app, ["dlq", "list", "--since", "last tuesday"])
    assert result.exit_code == 2 and "not an ISO 8601 time" in result.output
