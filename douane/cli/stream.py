"""``douane stream``: the Faust worker."""

from __future__ import annotations

import typer

from douane.cli.common import bootstrap, settings

app = typer.Typer(help="Run the Faust stream pipeline.", no_args_is_help=True)


@app.command()
def worker(
    app_id: str = typer.Option("douane-stream", help="consumer group; workers with the same id share partitions"),
    web_port: int = typer.Option(None, help="serve Faust's web endpoints on this port"),
    loglevel: str = typer.Option("info"),
) -> None:
    """Consume douane.ai-calls until stopped (SIGINT/SIGTERM). Bad records go to douane.dlq."""
    from deploy.kafka import ensure_topics
    from stream import CountingHandler, StreamApp, StreamConfig, run_worker

    cfg = settings()
    address = bootstrap(cfg)
    ensure_topics(address, cfg.topic_partitions)
    stream_app = StreamApp(StreamConfig(address, app_id, cfg.topic_partitions, web_port), CountingHandler())
    run_worker(stream_app.app, loglevel=loglevel)
