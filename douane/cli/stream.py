"""``douane stream``: the Faust worker and the store sink."""

from __future__ import annotations

from pathlib import Path

import typer

from douane.cli.common import bootstrap, fail, settings, topics_on

app = typer.Typer(help="Run the Faust stream pipeline.", no_args_is_help=True)

POLICIES = typer.Option(..., "--policy", exists=True, help="policy file or folder of *.policy.yaml (repeatable)")
METRICS_PORT = typer.Option(None, min=1, max=65535, help="serve /metrics on this port (all interfaces; default: none)")
DEFAULT = typer.Option(None, "--default-policy", exists=True, dir_okay=False,
                       help="policy for tenants no other policy names (else their events go to the DLQ)")


def _known_level(value: str) -> str:
    if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise typer.BadParameter(f"{value!r}: use debug, info, warning or error")
    return value


def _policies(paths: list[Path], default: Path | None):
    from rules.errors import RuleDataError
    from stream import PolicySet

    try:
        return PolicySet.load(paths, default)
    except RuleDataError as exc:
        fail(str(exc))


def _writer(path: Path | str):
    from stream.store import StoreError, StoreWriter

    try:
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        return StoreWriter(path)
    except StoreError as exc:
        fail(str(exc))


@app.command()
def worker(
    policy: list[Path] = POLICIES,
    default_policy: Path = DEFAULT,
    app_id: str = typer.Option("douane-stream", help="consumer group; workers with the same id share partitions"),
    web_port: int = typer.Option(None, help="serve Slack's interactivity endpoint on this port (default: no port)"),
    web_bind: str = typer.Option("127.0.0.1", help="address of that port; keep loopback behind a TLS proxy"),
    batch_size: int = typer.Option(5000, min=1, help="records per poll at most (a poll gathers for 0.1 s at most)"),
    metrics_port: int = METRICS_PORT,
    loglevel: str = typer.Option("info", callback=_known_level, help="debug, info, warning or error"),
) -> None:
    """Audit douane.ai-calls: evaluate, publish findings, raise alerts; bad records go to douane.dlq."""
    from stream import StreamApp, StreamConfig, run_worker

    cfg = settings()
    address = bootstrap(cfg)
    policies = _policies(policy, default_policy)
    topics_on(address, cfg)
    config = StreamConfig(address, app_id, cfg.topic_partitions, web_port, web_bind, batch_size=batch_size)
    slack, secret = _slack(cfg)
    app_token = cfg.slack_app_token.get_secret_value() if cfg.slack_app_token and slack else None
    stream_app = StreamApp(config, policies, [], slack=slack, signing_secret=secret, slack_app_token=app_token)
    stream_app.stages.insert(0, stream_app.findings_publisher())
    if metrics_port is not None:
        from douane.metrics import serve_metrics
        from stream.metrics import worker_registry

        serve_metrics(worker_registry(stream_app), metrics_port)
    run_worker(stream_app.app, loglevel=loglevel)


@app.command()
def sink(
    policy: list[Path] = POLICIES,
    default_policy: Path = DEFAULT,
    store: Path = typer.Option(None, help="the store folder (default: $DOUANE_HOME/store)"),
    app_id: str = typer.Option("douane-sink", help="consumer group of the sink"),
    batch_size: int = typer.Option(5000, min=1, help="records per poll (and per ledger entry of each partition)"),
    prepare_processes: int = typer.Option(
        2, min=0, help="processes that decode and evaluate the next batches while one is written (0: a thread)"),
    metrics_port: int = METRICS_PORT,
) -> None:
    """Write every audited call and incident to the store; run several with one --app-id to share the work.

    Offsets are committed only after the store has the batch; SIGINT/SIGTERM finish the batch in hand.
    """
    import asyncio
    import signal

    from stream import SinkConfig, StoreSink

    cfg = settings()
    address = bootstrap(cfg)
    policies = _policies(policy, default_policy)
    topics_on(address, cfg)
    writer = _recorded(_writer(store or cfg.store_location), policies)
    sink_logging()
    sink_ = StoreSink(SinkConfig(address, app_id, batch_size, prepare_processes=prepare_processes), policies, writer)
    if metrics_port is not None:
        from douane.metrics import serve_metrics
        from stream.metrics import sink_registry

        serve_metrics(sink_registry(sink_), metrics_port)

    async def run() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, sink_.stop)
        await sink_.run()

    try:
        asyncio.run(run())
    finally:
        writer.close()
    typer.echo(f"sink stopped: {sink_.stored} calls stored this run, {writer.total} in {writer.path}", err=True)


def sink_logging() -> None:
    """The sink tells what it stores (INFO) whatever ``--log-level`` says; each line printed once.

    Its records go to the root handler ``setup_logging`` installed: a handler of its own beside that
    one printed every line twice."""
    import logging

    logging.getLogger("stream").setLevel(min(logging.INFO, logging.getLogger().getEffectiveLevel()))


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
    writer.record_policies(policies.tenants())
    writer.record_registry(policies.registry)
    return writer
