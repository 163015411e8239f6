"""``douane dlq``: what was dead-lettered and why; send it back once the cause is fixed."""

from __future__ import annotations

from collections import Counter

import typer

from douane.cli.common import bootstrap, said, settings

app = typer.Typer(help="The dead-letter queue (douane.dlq).", no_args_is_help=True)

SINCE = typer.Option(None, "--since", help="only dead letters published since (ISO 8601; naive = UTC)")
STAGE = typer.Option(None, "--stage", help="only this stage: decode, evaluate, findings, signals, ...")
REASON = typer.Option(None, "--reason", help="only reasons containing this text")
JSON = typer.Option(False, "--json", help="JSON instead of a table")


def _letters(since: str | None, stage: str | None, reason: str | None):
    from stream.dlq import read_dead_letters
    from stream.replay import ReplayError, parse_time

    try:
        when = parse_time(since, "--since") if since else None
    except ReplayError as exc:
        raise typer.BadParameter(str(exc)) from None
    return read_dead_letters(bootstrap(settings()), when, stage, reason)


@app.command("list")
def list_(since: str = SINCE, stage: str = STAGE, reason: str = REASON, json_out: bool = JSON) -> None:
    """Each dead letter (time, stage, origin, reason; never its bytes), then counts by stage and reason.

    Exit status: 0 when the DLQ holds none that match, 1 when it does.
    """
    letters = _letters(since, stage, reason)
    by_cause = Counter((d.stage, d.reason.split(":")[0]) for d in letters)
    said(json_out, [d.summary() for d in letters],
         *(f"{d.at[:19]:<19}  {d.stage:<9} {d.source:<28} {d.reason}" for d in letters),
         f"\n{len(letters)} dead letter(s)" + (":" if letters else ""),
         *(f"  {n:6d}  {st:<9} {cause}" for (st, cause), n in by_cause.most_common()))
    if letters:
        raise typer.Exit(1)


@app.command()
def replay(since: str = SINCE, stage: str = STAGE, reason: str = REASON,
           dry_run: bool = typer.Option(False, "--dry-run", help="say what would be sent, send nothing"),
           again: bool = typer.Option(False, "--again", help="also send letters that were sent back before"),
           json_out: bool = JSON) -> None:
    """Send matching dead letters back to the topic they came from, unchanged; keep back what would fail again.

    A letter already sent back (its marker header is on the origin topic) is kept back unless
    --again; the store skips calls it already holds, so even then no evidence is added twice.
    Exit status: 0 when every matching letter was sent (or none matched), 1 when some were kept back.
    """
    from stream.dlq import send_back

    result = send_back(bootstrap(settings()), _letters(since, stage, reason), dry_run, again)
    verb = "would send" if dry_run else "sent"
    said(json_out, {verb.replace(" ", "_"): [d.summary() for d in result.sent],
                    "kept": [{**d.summary(), "why": why} for d, why in result.kept]},
         *(f"kept     {d.source:<28} {why}" for d, why in result.kept),
         f"{verb} {len(result.sent)} dead letter(s) back; kept back {len(result.kept)}")
    if result.kept:
        raise typer.Exit(1)
