"""The ``douane`` command: one sub-command group per component."""

from __future__ import annotations

import typer

from douane import __version__
from douane.cli import alerts, demo, dlq, gateway, inference, kafka, replay, report, rules, schema, store, stream
from douane.cli.common import setup_logging

app = typer.Typer(
    name="douane",
    help="Douane: customs for your AI traffic (GDPR Chapter V and NIS2).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(kafka.app, name="kafka")
app.add_typer(stream.app, name="stream")
app.add_typer(rules.app, name="rules")
app.add_typer(store.ledger_app, name="ledger")
app.add_typer(store.store_app, name="store")
app.add_typer(alerts.app, name="alerts")
app.add_typer(report.app, name="report")
app.add_typer(inference.app, name="inference")
app.add_typer(gateway.app, name="gateway")
app.add_typer(dlq.app, name="dlq")
app.command("schema")(schema.schema)
app.command("demo")(demo.demo)
app.command("parity")(inference.parity)
app.command("replay")(replay.replay)


def _version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def main(
    log_level: str = typer.Option("warning", "--log-level", envvar="DOUANE_LOG_LEVEL", help="debug, info, warning"),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True),
) -> None:
    """Douane audits every call your software makes to an AI model."""
    setup_logging(log_level)
