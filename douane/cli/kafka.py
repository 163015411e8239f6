"""``douane kafka``: the local broker and the topics."""

from __future__ import annotations

import time

import typer

from douane.cli.common import bootstrap, fail, local_broker, settings, topics_on

app = typer.Typer(help="Run the local Apache Kafka broker and create Douane's topics.", no_args_is_help=True)


def _broker():
    return local_broker(settings())


@app.command()
def fetch(force: bool = typer.Option(False, help="fetch again even when the jars are current")) -> None:
    """Fetch the broker's jars from Maven Central."""
    from deploy.kafka import JarsError, fetch_jars

    broker = _broker()
    try:
        fetch_jars(broker.libs, force=force)
    except JarsError as exc:
        fail(str(exc))
    typer.echo(f"Kafka jars in {broker.libs}")


@app.command()
def up(timeout: float = typer.Option(90.0, help="seconds to wait for the broker to answer")) -> None:
    """Start the broker (a no-op when it runs) and wait until it answers; prints the bootstrap address."""
    from deploy.kafka import BrokerError, JarsError

    started = time.monotonic()
    try:
        status = _broker().up(timeout=timeout)
    except (BrokerError, JarsError) as exc:
        fail(str(exc))
    typer.echo(f"{status.describe()} [{time.monotonic() - started:.1f} s]", err=True)
    typer.echo(status.bootstrap)


@app.command()
def down() -> None:
    """Stop the broker."""
    stopped = _broker().down()
    typer.echo("Kafka stopped" if stopped else "Kafka was not running")


@app.command()
def status(json_out: bool = typer.Option(False, "--json", help="the status as JSON")) -> None:
    """Say whether the broker runs and answers; exit 1 when it does not."""
    st = _broker().status()
    if json_out:
        import dataclasses
        import json

        typer.echo(json.dumps({**dataclasses.asdict(st), "home": str(st.home)}))
    else:
        typer.echo(st.describe())
    if not (st.running and st.answering):
        raise typer.Exit(1)


@app.command()
def topics(as_json: bool = typer.Option(False, "--json", help="one JSON line per topic on stdout")) -> None:
    """Create Douane's topics (idempotent) with the partitions and retention of the contract."""
    import json

    cfg = settings()
    for t in topics_on(bootstrap(cfg), cfg):
        if as_json:
            typer.echo(json.dumps({"topic": t.spec.name, "created": t.created, "partitions": t.partitions,
                                   "retention_ms": t.spec.retention_ms, "longest_life_ms": t.spec.longest_life_ms(),
                                   "config": t.spec.config(cfg.topic_replication)}))
            continue
        state = "created" if t.created else "exists "
        keep = _duration(t.spec.retention_ms)
        life = t.spec.longest_life_ms()
        gone = f" (every record gone within {_duration(life)})" if life else ""
        typer.echo(f"{state} {t.spec.name:<18} partitions={t.partitions:<3} retention={keep:<5} {t.spec.purpose}{gone}")


def _duration(ms: int) -> str:
    hours = ms / 3_600_000
    if hours < 1:
        return f"{ms / 60_000:g}m"
    return f"{hours:g}h" if hours < 24 else f"{hours / 24:g}d"


@app.command()
def logs(lines: int = typer.Option(40, min=1)) -> None:
    """Print the end of the broker's output."""
    typer.echo(_broker().log_tail(lines))
