"""``douane report``: documents for DPOs, built from the store."""

from __future__ import annotations

from datetime import date, datetime, timezone
from enum import StrEnum
from pathlib import Path

import sys

import typer

from douane.cli.common import fail, said, settings

app = typer.Typer(help="Article 30, DPIA and NIS2 incident reports from the DuckDB store.", no_args_is_help=True)


class Format(StrEnum):
    """Output formats."""

    pdf = "pdf"
    html = "html"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


SHEETS = (Format.csv, Format.xlsx)
"""Formats that hold the standing record only (one row per activity and recipient), no period."""


# The options the report commands share (typer reads these defaults anew for each command).
TENANT = typer.Option(..., help="the controller's tenant id")
FROM = typer.Option(..., "--from", help="first day, YYYY-MM-DD")
TO = typer.Option(..., "--to", help="last day, YYYY-MM-DD")
OUT = typer.Option(..., help="the file to write")
FORMAT = typer.Option(Format.pdf, "--format")
STORE = typer.Option(None, help="the evidence store folder (default: $DOUANE_HOME/store)")
JSON = typer.Option(False, "--json", help="say what was written as JSON (path, format, key figures), for scripts")


@app.command()
def article30(
    tenant: str = TENANT,
    start: str = typer.Option(None, "--from", help="first day of the observed annex, YYYY-MM-DD (pdf/html/json)"),
    end: str = typer.Option(None, "--to", help="last day of the observed annex, YYYY-MM-DD (pdf/html/json)"),
    out: Path = OUT,
    fmt: Format = FORMAT,
    as_of: str = typer.Option(None, "--as-of", help="the record as it stood on this day, YYYY-MM-DD "
                                                    "(default: today)"),
    store: Path = STORE,
    json_out: bool = JSON,
) -> None:
    """The record of processing activities (Art. 30) as of a day; pdf/html/json add the period's
    declared-versus-observed annex, csv/xlsx hold the record one row per activity and recipient."""
    from reports import article30_html, build_article30, build_record

    day = _day(as_of, "--as-of") if as_of else None
    if fmt in SHEETS:
        record = _write("Article 30 record", store, out, fmt,
                        lambda con: build_record(con, tenant, day or datetime.now(timezone.utc).date()), None)
        _said(json_out, f"{out}: {len(record.rows)} rows (activity × recipient), as of {record.as_of}",
              out, fmt, rows=len(record.rows), as_of=str(record.as_of))
        return
    if start is None or end is None:
        raise typer.BadParameter("give the observed period with --from and --to (or --format csv|xlsx for the "
                                 "record alone)", param_hint="--from/--to")
    period = (_day(start, "--from"), _day(end, "--to"))
    report = _write("Article 30 record", store, out, fmt, lambda con: build_article30(con, tenant, *period, day),
                    article30_html)
    _said(json_out, f"{out}: {len(report.activities)} activities, {report.calls_total:,} calls, "
                    f"record as of {report.record.as_of}", out, fmt, activities=len(report.activities),
          calls=report.calls_total, as_of=str(report.record.as_of))


@app.command()
def dpia(
    tenant: str = TENANT,
    start: str = FROM,
    end: str = TO,
    out: Path = OUT,
    fmt: Format = FORMAT,
    store: Path = STORE,
    json_out: bool = JSON,
) -> None:
    """The data protection impact assessment (Art. 35): criteria, risk register, measures, residual risk."""
    from reports import build_dpia, dpia_html

    period = (_day(start, "--from"), _day(end, "--to"))
    report = _write("DPIA", store, out, fmt, lambda con: build_dpia(con, tenant, *period), dpia_html)
    _said(json_out, f"{out}: {report.criteria_met} of 9 WP248 criteria met, residual risk {report.residual_level} "
                    f"after the measures and {report.planned_level} after the action plan ({len(report.actions)} "
                    f"actions), prior consultation {'needed' if report.prior_consultation else 'not needed'}", out,
          fmt, criteria_met=report.criteria_met, residual_risk=report.residual_level,
          planned_risk=report.planned_level, actions=len(report.actions), prior_consultation=report.prior_consultation)


@app.command()
def incident(
    incident_id: str = typer.Argument(..., help="the incident's id (see the Slack alert or douane alerts list)"),
    out: Path = OUT,
    fmt: Format = FORMAT,
    as_of: str = typer.Option(None, "--as-of", help="judge the clocks at this UTC time, YYYY-MM-DDTHH:MM "
                                                    "(default: the incident's last event)"),
    store: Path = STORE,
    json_out: bool = JSON,
) -> None:
    """NIS2 Art. 23 drafts for one incident: early warning, notification and final report, with its clocks."""
    from reports import build_incident, incident_html

    moment = _moment(as_of) if as_of else None
    report = _write("NIS2 incident report", store, out, fmt, lambda con: build_incident(con, incident_id, moment),
                    incident_html)
    states = ", ".join(f"{c.name.lower()} {c.state}" for c in report.clocks)
    _said(json_out, f"{out}: {report.title}; {states}", out, fmt, title=report.title,
          clocks={c.name: c.state for c in report.clocks})


def _said(json_out: bool, line: str, out: Path, fmt: Format, **figures) -> None:
    """The command's last word: a line for people, or JSON with the same facts (and the file) for a script."""
    said(json_out, {"out": str(out), "format": fmt.value, **figures}, line)


def _write(label: str, store: Path | None, out: Path, fmt: Format, build, to_html):
    """Open the store, build the report, render it in ``fmt`` and write ``out``, with a progress bar."""
    from reports import ReportError, to_json, to_pdf
    from reports.spreadsheet import to_csv, to_xlsx
    from stream.store import StoreError, open_store

    if fmt in SHEETS and to_html is not None:
        fail(f"--format {fmt.value} holds the Article 30 record only; use pdf, html or json for the {label}")
    try:
        con = open_store(store or settings().store_location, read_only=True)
    except StoreError as exc:
        fail(str(exc))
    try:
        with typer.progressbar(length=3, label=label, file=sys.stderr) as progress:  # stdout stays for --json
            report = build(con)
            progress.update(1)
            if fmt is Format.csv:
                body = to_csv(report).encode()
            elif fmt is Format.xlsx:
                body = to_xlsx(report)
            else:
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
