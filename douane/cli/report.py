"""``douane report``: documents for DPOs, built from the store."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path

import typer

from douane.cli.common import fail, settings

app = typer.Typer(help="Article 30, DPIA and NIS2 incident reports from the DuckDB store.", no_args_is_help=True)


class Format(StrEnum):
    """Output formats."""

    pdf = "pdf"
    html = "html"
    json = "json"


@app.command()
def article30(
    tenant: str = typer.Option(..., help="the controller's tenant id"),
    start: str = typer.Option(..., "--from", help="first day, YYYY-MM-DD"),
    end: str = typer.Option(..., "--to", help="last day, YYYY-MM-DD"),
    out: Path = typer.Option(..., help="the file to write"),
    fmt: Format = typer.Option(Format.pdf, "--format"),
    store: Path = typer.Option(None, help="the DuckDB file (default: $DOUANE_HOME/douane.duckdb)"),
) -> None:
    """The record of processing activities (Art. 30), declared beside observed."""
    from reports import ReportError, article30_html, build_article30, to_json, to_pdf
    from stream.store import StoreError, open_store

    period = (_day(start, "--from"), _day(end, "--to"))
    try:
        con = open_store(store or settings().store_path, read_only=True)
    except StoreError as exc:
        fail(str(exc))
    try:
        with typer.progressbar(length=3, label="Article 30 record", file=None) as progress:
            report = build_article30(con, tenant, *period)
            progress.update(1)
            body = to_json(report).encode() if fmt is Format.json else article30_html(report).encode()
            progress.update(1)
            if fmt is Format.pdf:
                body = to_pdf(body.decode())
            progress.update(1)
    except ReportError as exc:
        fail(str(exc))
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(body)
    typer.echo(f"{out} ({len(body):,} bytes): {len(report.activities)} activities, {report.calls_total:,} calls")


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from None
