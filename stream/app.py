"""The stream worker: the judge (a batch consumer) and the Faust app that keeps the incident desk.

Per batch: decode (bad bytes → DLQ), evaluate under the tenant's policy (no policy →
DLQ), then each stage in turn. A batch is acknowledged to Kafka only after every stage
returned and what they published is on the broker, so a worker killed mid-batch gets the
whole batch again; the store skips what it already has. The calls are judged outside Faust
(``stream/judge.py``); Faust runs the judge as a service and keeps the tables and windows.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

from douane.contract import TOPICS, Severity
from douane.contract.deadletter import DeadLetter
from stream.policies import PolicySet
from stream.producer_buffer import FlushingApp
from stream.alerts import IncidentDesk, SlackNotifier
from stream.alerts.places import seat_only
from stream.derogation_share import SharedUse, UseExchange, UseExchangeService
from stream.judge import Judge, JudgeService, OutTopic
from stream.stages import FindingsPublisher, SignalPublisher, Stage
from stream.pipeline import Raw, Sources, audit_batch
from stream.triage import stage_failure

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamConfig:
    """How the stream app connects, names its consumer group and batches."""

    bootstrap: str
    app_id: str = "douane-stream"
    partitions: int = 6
    web_port: int | None = None  # None: no web server (the default)
    web_bind: str = "127.0.0.1"  # loopback: put a reverse proxy with TLS in front for Slack's request URL
    start_from: str = "earliest"  # where a new group starts: earliest (audit everything) or latest
    batch_size: int = 5000  # records a poll at most; 1,000 judged ~17,000 events/s, 5,000 ~21,000 (bench, quiet)
    batch_wait: float = 0.1  # seconds a partial batch waits for more records
    session_timeout: float = 10.0  # a crashed worker's partitions move to the others after this


class StreamApp:
    """Wires the Faust app, its topics, the policies and the stages; holds no logic of its own."""

    def __init__(self, config: StreamConfig, policies: PolicySet, stages: list[Stage],
                 slack: SlackNotifier | None = None, signing_secret: str | None = None,
                 slack_app_token: str | None = None) -> None:
        self.config = config
        self.policies = policies
        self.stages = stages
        self.dead_letters = 0
        self.app = _faust_app(config)
        self.dlq_topic = OutTopic(TOPICS.dlq.name)
        self.findings_topic = OutTopic(TOPICS.findings.name)  # what FindingsPublisher sends to
        self.sources = Sources()  # where the batch in hand was read: its findings and signals name their calls
        signals = OutTopic(TOPICS.incidents.name)
        # Art. 49 use is counted over every worker: one tenant's calls are spread over all of them.
        policies.derogation_use = SharedUse()
        self.uses = UseExchange(config.bootstrap, policies.derogation_use)
        self.app.add_dependency(UseExchangeService(self.uses, loop=None))  # started before the judge
        self.judge = Judge(config.bootstrap, f"{config.app_id}.judge", self.process,
                           [self.findings_topic, signals, self.dlq_topic], start_from=config.start_from,
                           batch_size=config.batch_size, poll_ms=int(config.batch_wait * 1000),
                           adopt_from=config.app_id)
        self.app.add_dependency(JudgeService(self.judge, loop=None))
        self.desk = None
        if slack is not None:
            names = {p.id: p.name for p in policies.registry.providers}
            findings_in = self.app.topic(TOPICS.findings.name, key_serializer="raw", value_serializer="raw")
            self.desk = IncidentDesk(self.app, findings_in, config.partitions, policies.policy_for, slack,
                                     signing_secret, names, web=config.web_port is not None,
                                     app_token=slack_app_token, seats=seat_only(policies.registry))
            self.stages.append(SignalPublisher(signals, self.sources))

    def findings_publisher(self, min_severity: Severity = Severity.LOW) -> FindingsPublisher:
        """The stage that publishes this app's findings, each naming its call (so a call judged again counts once)."""
        return FindingsPublisher(self.findings_topic, min_severity, self.sources)

    async def process(self, raws: list[Raw]) -> None:
        """Run one batch through triage, evaluation and every stage."""
        batch = audit_batch(self.policies, raws)
        items, raw_of, letters = batch.items, batch.raw_of, batch.letters
        self.sources.raw_of = raw_of
        for stage in self.stages:
            failures = await stage.process(items)
            if failures:
                failed = {id(item) for item, _ in failures}
                letters.extend(stage_failure(raw_of[id(i)], stage.name, exc) for i, exc in failures)
                items = [i for i in items if id(i) not in failed]
        self.sources.raw_of = {}  # the batch's records go with the batch
        if letters:
            await self._dead_letter(letters)
        await self.uses.send()  # before the judge commits the batch

    async def _dead_letter(self, letters: list[DeadLetter]) -> None:
        self.dead_letters += len(letters)
        first = letters[0]
        logger.warning("%d record(s) of this batch went to the DLQ; first from %s (%s): %s",
                       len(letters), first.origin, first.stage, first.reason)
        for letter in letters:
            logger.debug("dead letter from %s (%s): %s", letter.origin, letter.stage, letter.reason)
            await self.dlq_topic.send(letter.key, letter.value or b"", headers=letter.headers())


# Faust's built-in pages (its router, /table/<name>/<key>/, stats, graph, metrics) answer anyone who
# can reach the port, and incident keys are guessable: every one of them stays off. Only the pages
# Douane adds (Slack's signed interactivity endpoint) are served.
_NO_BUILTIN_PAGES = {"web_router_enabled": False, "web_tables_enabled": False, "web_stats_enabled": False,
                     "web_graph_enabled": False, "web_metrics_enabled": False}


def _scratch_dir(app_id: str) -> Path:
    """Faust's data folder: it stays empty (tables live in memory, rebuilt from their changelogs), so it goes
    under the temp folder rather than into whatever directory the worker was started from."""
    folder = Path(tempfile.gettempdir()) / "douane-faust" / f"{app_id}-data"
    folder.parent.mkdir(parents=True, exist_ok=True)
    return folder


def _faust_app(config: StreamConfig) -> FlushingApp:
    web = ({"web_enabled": False} if config.web_port is None else
           {"web_port": config.web_port, "web_bind": config.web_bind, **_NO_BUILTIN_PAGES})
    return FlushingApp(  # its flush lets no commit run ahead of a table's changelog (stream.producer_buffer)
        config.app_id,
        broker=f"kafka://{config.bootstrap}",
        store="memory://",
        datadir=str(_scratch_dir(config.app_id)),
        topic_partitions=config.partitions,
        consumer_auto_offset_reset=config.start_from,
        processing_guarantee="at_least_once",
        producer_acks=-1,
        broker_session_timeout=config.session_timeout,
        table_standby_replicas=0,  # a worker holds only the incidents it owns, so only it alerts on them
        broker_heartbeat_interval=min(3.0, config.session_timeout / 4),
        autodiscover=False,
        **web,
    )
