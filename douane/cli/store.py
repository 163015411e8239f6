"""``douane ledger`` and ``douane store``: verify and maintain the DuckDB store."""

from __future__ import annotations

from pathlib import Path

import typer

from douane.cli.common import fail, settings

ledger_app = typer.Typer(help="The tamper-evident ledger of the store.", no_args_is_help=True)
store_app = typer.Typer(help="The DuckDB store of Article 30 records and evidence.", no_args_is_help=True)

STORE = typer.Option(None, "--store", help="the DuckDB file (default: $DOUANE_HOME/douane.duckdb)")


@ledger_app.command()
def verify(store: Path = STORE) -> None:
    """Recompute the hash chain and every record; name each changed, deleted or foreign record."""
    from stream.store import StoreError, open_store, verify as verify_store

    path = store or settings().store_path
    try:
        con = open_store(path, read_only=True)
    except StoreError as exc:
        fail(str(exc))
    report = verify_store(con)
    con.close()
    for problem in report.problems:
        typer.secho(str(problem), fg=typer.colors.RED)
    state = "intact" if report.intact else f"{len(report.problems)} problem(s)"
    typer.echo(f"{path}: {report.batches} batches, {report.records} records, {state}; head {report.head[:16]}")
    if not report.intact:
        raise typer.Exit(1)


@store_app.command()
def migrate(store: Path = STORE) -> None:
    """Bring the store to this Douane's schema version."""
    from stream.store import LATEST, StoreError
    from stream.store.schema import upgrade

    path = store or settings().store_path
    try:
        applied = upgrade(path)
    except StoreError as exc:
        fail(str(exc))
    typer.echo(f"{path}: schema version {LATEST}" + (f" (applied {applied})" if applied else " (already current)"))
