"""``douane stream``: the Faust worker and the store sink."""

from __future__ import annotations

from pathlib import Path

import typer

from douane.cli.common import bootstrap, fail, settings

app = typer.Typer(help="Run the Faust stream pipeline.", no_args_is_help=True)

POLICIES = typer.Option(..., "--policy", exists=True, help="policy file or folder of *.policy.yaml (repeatable)")
DEFAULT = typer.Option(None, "--default-policy", exists=True, dir_okay=False,
                       help="policy for tenants no other policy names (else their events go to the DLQ)")


def _policies(paths: list[Path], default: Path | None):
    from rules.errors import RuleDataError
    from stream import PolicySet

    try:
        return PolicySet.load(paths, default)
    except RuleDataError as exc:
        fail(str(exc))


def _writer(path: Path):
    from stream.store import StoreError, StoreWriter

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return StoreWriter(path)
    except StoreError as exc:
        fail(str(exc))


@app.command()
def worker(
    policy: list[Path] = POLICIES,
    default_policy: Path = DEFAULT,
    store: Path = typer.Option(None, help="also write the DuckDB store (only when this is the only worker)"),
    app_id: str = typer.Option("douane-stream", help="consumer group; workers with the same id share partitions"),
    web_port: int = typer.Option(None, help="serve Faust's web endpoints on this port"),
    batch_size: int = typer.Option(1000, min=1, help="records per batch"),
    loglevel: str = typer.Option("info"),
) -> None:
    """Audit douane.ai-calls: evaluate, publish findings, raise alerts; bad records go to douane.dlq."""
    from deploy.kafka import ensure_topics
    from stream import FindingsPublisher, StoreStage, StreamApp, StreamConfig, run_worker

    cfg = settings()
    address = bootstrap(cfg)
    policies = _policies(policy, default_policy)
    ensure_topics(address, cfg.topic_partitions)
    config = StreamConfig(address, app_id, cfg.topic_partitions, web_port, batch_size=batch_size)
    slack, secret = _slack(cfg)
    stream_app = StreamApp(config, policies, [], slack=slack, signing_secret=secret)
    stream_app.stages.append(FindingsPublisher(stream_app.findings_topic))
    if store is not None:
        stream_app.stages.append(StoreStage(_recorded(_writer(store), policies)))
    run_worker(stream_app.app, loglevel=loglevel)


@app.command()
def sink(
    policy: list[Path] = POLICIES,
    default_policy: Path = DEFAULT,
    store: Path = typer.Option(None, help="the DuckDB file (default: $DOUANE_HOME/douane.duckdb)"),
    app_id: str = typer.Option("douane-sink", help="consumer group of the sink"),
    batch_size: int = typer.Option(1000, min=1, help="records per batch (and per DuckDB transaction)"),
    loglevel: str = typer.Option("info"),
) -> None:
    """Write every audited call to the DuckDB store: the store's one writer, in its own consumer group."""
    from deploy.kafka import ensure_topics
    from stream import StoreStage, StreamApp, StreamConfig, run_worker

    cfg = settings()
    address = bootstrap(cfg)
    policies = _policies(policy, default_policy)
    ensure_topics(address, cfg.topic_partitions)
    writer = _recorded(_writer(store or cfg.store_path), policies)
    config = StreamConfig(address, app_id, cfg.topic_partitions, batch_size=batch_size)
    stream_app = StreamApp(config, policies, [StoreStage(writer)], incidents_to=writer)
    run_worker(stream_app.app, loglevel=loglevel)


def _slack(cfg):
    """The Slack notifier and signing secret from the environment; alerts are off without a token."""
    import logging

    from stream.alerts import SlackNotifier

    if cfg.slack_token is None:
        logging.getLogger(__name__).warning("DOUANE_SLACK_TOKEN is not set: findings are published, "
                                            "but no Slack alerts are sent")
        return None, None
    secret = cfg.slack_signing_secret.get_secret_value() if cfg.slack_signing_secret else None
    return SlackNotifier.connect(cfg.slack_token.get_secret_value(), base_url=cfg.slack_base_url), secret


def _recorded(writer, policies):
    import atexit

    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    atexit.register(writer.close)  # the Faust worker exits the process; close the file after it stopped
    return writer
