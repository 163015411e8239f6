"""``douane report``: documents for DPOs, built from the store."""

from __future__ import annotations

from datetime import date, datetime, timezone
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


# The options the report commands share (typer reads these defaults anew for each command).
TENANT = typer.Option(..., help="the controller's tenant id")
FROM = typer.Option(..., "--from", help="first day, YYYY-MM-DD")
TO = typer.Option(..., "--to", help="last day, YYYY-MM-DD")
OUT = typer.Option(..., help="the file to write")
FORMAT = typer.Option(Format.pdf, "--format")
STORE = typer.Option(None, help="the evidence store folder (default: $DOUANE_HOME/store)")


@app.command()
def article30(
    tenant: str = TENANT,
    start: str = FROM,
    end: str = TO,
    out: Path = OUT,
    fmt: Format = FORMAT,
    store: Path = STORE,
) -> None:
    """The record of processing activities (Art. 30), declared beside observed."""
    from reports import article30_html, build_article30

    period = (_day(start, "--from"), _day(end, "--to"))
    report = _write("Article 30 record", store, out, fmt, lambda con: build_article30(con, tenant, *period),
                    article30_html)
    typer.echo(f"{out}: {len(report.activities)} activities, {report.calls_total:,} calls")


@app.command()
def dpia(
    tenant: str = TENANT,
    start: str = FROM,
    end: str = TO,
    out: Path = OUT,
    fmt: Format = FORMAT,
    store: Path = STORE,
) -> None:
    """The data protection impact assessment (Art. 35): criteria, risk register, measures, residual risk."""
    from reports import build_dpia, dpia_html

    period = (_day(start, "--from"), _day(end, "--to"))
    report = _write("DPIA", store, out, fmt, lambda con: build_dpia(con, tenant, *period), dpia_html)
    typer.echo(f"{out}: {report.criteria_met} of 9 WP248 criteria met, {len(report.risks)} risks, "
               f"residual risk {report.residual_level}")


@app.command()
def incident(
    incident_id: str = typer.Argument(..., help="the incident's id (see the Slack alert or douane alerts list)"),
    out: Path = OUT,
    fmt: Format = FORMAT,
    as_of: str = typer.Option(None, "--as-of", help="judge the clocks at this UTC time, YYYY-MM-DDTHH:MM "
                                                    "(default: now)"),
    store: Path = STORE,
) -> None:
    """NIS2 Art. 23 drafts for one incident: early warning, notification and final report, with its clocks."""
    from reports import build_incident, incident_html

    moment = _moment(as_of) if as_of else None
    report = _write("NIS2 incident report", store, out, fmt, lambda con: build_incident(con, incident_id, moment),
                    incident_html)
    states = ", ".join(f"{c.name.lower()} {c.state}" for c in report.clocks)
    typer.echo(f"{out}: {report.title}; {states}")


def _write(label: str, store: Path | None, out: Path, fmt: Format, build, to_html):
    """Open the store, build the report, render it in ``fmt`` and write ``out``, with a progress bar."""
    from reports import ReportError, to_json, to_pdf
    from stream.store import StoreError, open_store

    try:
        con = open_store(store or settings().store_location, read_only=True)
    except StoreError as exc:
        fail(str(exc))
    try:
        with typer.progressbar(length=3, label=label, file=None) as progress:
            report = build(con)
            progress.update(1)
            body = to_json(report).encode() if fmt is Format.json else to_html(report).encode()
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
    typer.echo(f"wrote {len(body):,} bytes", err=True)
    return report


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a time (YYYY-MM-DDTHH:MM)", param_hint="--as-of") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)", param_hint=option) from None
