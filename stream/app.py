"""The Faust app: thin agents over the plain functions in ``triage`` and the handler."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import faust

from douane.contract import TOPICS
from stream.dlq import DeadLetter, Origin
from stream.handlers import EventHandler
from stream.triage import handler_failure, triage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamConfig:
    """How the stream app connects and names its consumer group."""

    bootstrap: str
    app_id: str = "douane-stream"
    partitions: int = 6
    web_port: int | None = None  # None: no web server
    start_from: str = "earliest"  # where a new group starts: earliest (audit everything) or latest


class StreamApp:
    """Wires the Faust app, its topics and the ingest agent; holds no logic of its own."""

    def __init__(self, config: StreamConfig, handler: EventHandler) -> None:
        self.config = config
        self.handler = handler
        self.dead_letters = 0
        self.app = _faust_app(config)
        self.calls_topic = self.app.topic(TOPICS.ai_calls.name, key_serializer="raw", value_serializer="raw")
        self.dlq_topic = self.app.topic(TOPICS.dlq.name, key_serializer="raw", value_serializer="raw")
        self.app.agent(self.calls_topic, name="ingest")(self._ingest)

    async def _ingest(self, stream: faust.StreamT) -> None:
        async for record in stream.events():
            msg = record.message
            origin = Origin(msg.topic, msg.partition, msg.offset)
            await self._process(record.key, record.value, origin)

    async def _process(self, key: bytes | None, value: bytes | None, origin: Origin) -> None:
        verdict = triage(key, value, origin)
        if isinstance(verdict, DeadLetter):
            await self._dead_letter(verdict)
            return
        try:
            await self.handler.handle(verdict)
        except Exception as exc:  # noqa: BLE001 - any handler failure is dead-lettered, never lost
            logger.exception("handler failed on %s", origin)
            await self._dead_letter(handler_failure(key, value, origin, exc))

    async def _dead_letter(self, letter: DeadLetter) -> None:
        self.dead_letters += 1
        logger.warning("dead letter from %s (%s): %s", letter.origin, letter.stage, letter.reason)
        await self.dlq_topic.send(key=letter.key, value=letter.value or b"", headers=letter.headers())


def _faust_app(config: StreamConfig) -> faust.App:
    web = {"web_enabled": False} if config.web_port is None else {"web_port": config.web_port}
    return faust.App(
        config.app_id,
        broker=f"kafka://{config.bootstrap}",
        store="memory://",
        topic_partitions=config.partitions,
        consumer_auto_offset_reset=config.start_from,
        processing_guarantee="at_least_once",
        producer_acks=-1,
        autodiscover=False,
        **web,
    )
