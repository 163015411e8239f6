"""Helpers every CLI command shares: settings, logging, the bootstrap address, errors, output."""

from __future__ import annotations

import json
import logging
import sys
from typing import NoReturn

import typer

from douane.cli.repeats import limit_client_repeats
from douane.settings import Settings


def settings() -> Settings:
    """Settings from the environment, or a clear exit naming the bad variable."""
    try:
        return Settings()
    except ValueError as exc:
        fail(f"bad DOUANE_* setting: {exc}")


def setup_logging(level: str) -> None:
    """Key=value style log lines on stderr; the CLI's own output goes to stdout."""
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    for noisy in ("kafka", "aiokafka", "faust", "mode"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    limit_client_repeats()


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def said(json_out: bool, facts: object, *lines: str) -> None:
    """A command's result: lines for people, or the same facts as one JSON document for a script."""
    if json_out:
        typer.echo(json.dumps(facts, indent=2, default=str))
    else:
        for line in lines:
            typer.echo(line)


def local_broker(cfg: Settings):
    """The broker process Douane owns under ``$DOUANE_HOME/kafka``, with the configured ports and heap."""
    from deploy.kafka import LocalBroker

    return LocalBroker(cfg.kafka_home, cfg.kafka_port, cfg.kafka_controller_port, cfg.kafka_heap)


def find_bootstrap(cfg: Settings) -> str | None:
    """The broker to use: ``DOUANE_KAFKA_BOOTSTRAP``, else the local broker when it answers, else None."""
    if cfg.kafka_bootstrap:
        return cfg.kafka_bootstrap
    status = local_broker(cfg).status()
    return status.bootstrap if status.running and status.answering else None


def topics_on(address: str, cfg: Settings) -> list:
    """Create or update Douane's topics on the broker at ``address``, or a clear exit naming the broker
    (an unreachable one otherwise ends in a Kafka client's traceback)."""
    from kafka.errors import KafkaError

    from deploy.kafka import ensure_topics

    try:
        return ensure_topics(address, cfg.topic_partitions)
    except KafkaError as exc:
        fail(f"cannot set up Douane's topics on Kafka at {address}: {exc}. Is the broker up and reachable from "
             "here? (douane kafka status; DOUANE_KAFKA_BOOTSTRAP=host:port)")


def bootstrap(cfg: Settings) -> str:
    """The broker to use (see ``find_bootstrap``), or a clear exit naming the fix."""
    address = find_bootstrap(cfg)
    if address is None:
        fail("no Kafka broker: run 'douane kafka up' or set DOUANE_KAFKA_BOOTSTRAP=host:port")
    return address
