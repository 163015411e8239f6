"""``douane replay``: re-read an incident window by event time and judge it again under given rules."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import typer

from douane.cli.common import fail, find_bootstrap, settings

PROGRESS_FROM = 20_000
"""Records to read before a progress bar is worth showing."""


def replay(
    start: str = typer.Option(..., "--from", help="window start, event time (ISO 8601; naive = UTC)"),
    end: str = typer.Option(..., "--to", help="window end (exclusive)"),
    tenant: str = typer.Option(None, help="only this tenant's calls"),
    policy: list[Path] = typer.Option(None, "--policy", exists=True,
                                      help="rules now: policy file or folder (repeatable); default: as recorded in the store"),
    baseline: list[Path] = typer.Option(None, "--baseline", exists=True,
                                        help="compare with these rules instead of the verdicts recorded then"),
    registry: Path = typer.Option(None, "--registry", exists=True, file_okay=False, help="folder with providers.yaml"),
    source: str = typer.Option("auto", help="auto (Kafka while it holds the window, else the store), kafka, store"),
    store: Path = typer.Option(None, "--store", help="the evidence store folder (default: $DOUANE_HOME/store)"),
    margin: float = typer.Option(5.0, min=0, help="minutes to seek before the window (clock skew, publish delay)"),
    late: float = typer.Option(None, min=0, help="stop at records published this many minutes after the window "
                                                 "(default: read to the topic's end, so late-spooled calls count)"),
    fmt: str = typer.Option("table", "--format", help="table, json, html or pdf"),
    json_out: bool = typer.Option(False, "--json", help="same as --format json"),
    out: Path = typer.Option(None, "--out", dir_okay=False, help="write here instead of stdout (needed for pdf)"),
    redrive: bool = typer.Option(False, "--redrive", help="also send the window's redirected requests to the "
                                                          "sovereign worker again (writes to douane.redirect)"),
    redrive_timeout: float = typer.Option(60.0, min=1, help="seconds to wait for the worker's answers"),
) -> None:
    """Replay a window of AI calls by event time: timeline, then-vs-now diff, redirects, incidents. Read-only.

    Exit status: 0 when the rules given judge every call as recorded, 1 when they differ, a redriven request got
    no answer, or an error stopped it; 2 usage.
    """
    from stream.replay import ReplayConfig, ReplayError, Window, parse_time, replay as run
    from stream.replay.render import FORMATS, render

    fmt = "json" if json_out else fmt
    if fmt not in FORMATS:
        raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
    if fmt == "pdf" and out is None:
        raise typer.BadParameter("a PDF needs --out FILE", param_hint="--format pdf")
    cfg = settings()
    try:
        window = Window(parse_time(start, "--from"), parse_time(end, "--to"), tenant)
    except ReplayError as exc:
        raise typer.BadParameter(str(exc)) from None
    store_path = store or cfg.store_path
    config = ReplayConfig(window, _policies(policy, registry, store_path), _broker(cfg, source), store_path, source,
                          timedelta(minutes=margin), timedelta(minutes=late) if late is not None else None,
                          baseline=_policies(baseline, registry, store_path) if baseline else None)
    try:
        report = run(config, _Progress())
    except ReplayError as exc:
        fail(str(exc))
    again = _redrive(config, report, redrive_timeout) if redrive else None
    if again is not None and fmt == "json":
        import json

        _write(json.dumps({**json.loads(report.to_json()), "redrive": again.model_dump(mode="json")}, indent=2) + "\n",
               out)
    else:
        _write(render(report, fmt), out)
        if again is not None:
            from stream.replay.redrive import lines

            typer.echo("\n".join(["", *lines(again)]))
    if report.differs or (again is not None and again.unanswered):
        raise typer.Exit(1)


def _redrive(config, report, timeout: float):
    """The redrive step, after the read-only replay and apart from it."""
    from stream.replay.redrive import redrive

    if config.bootstrap is None:
        fail("--redrive needs a broker: run 'douane kafka up' or set DOUANE_KAFKA_BOOTSTRAP")
    return redrive(config.bootstrap, config.window, report.redirected_ids, config.margin, timeout)


def _policies(paths: list[Path] | None, registry: Path | None, store: Path):
    from rules.errors import RuleDataError
    from rules.policy import load_policy
    from rules.registry import load_registry
    from stream import PolicySet
    from stream.replay import ReplayError
    from stream.replay.store import recorded_policies

    try:
        providers = load_registry(registry / "providers.yaml") if registry else None
        if not paths:
            recorded = recorded_policies(store)
            if not recorded:
                fail(f"no --policy given and no policy recorded in {store}")
            return PolicySet(recorded, providers)
        files = [f for p in paths for f in (sorted(p.glob("*.policy.yaml")) if p.is_dir() else [p])]
        return PolicySet([load_policy(f) for f in files], providers)
    except RuleDataError as exc:
        fail(str(exc))
    except ReplayError as exc:
        fail(f"no --policy given, and the store cannot give today's rules: {exc}")


def _broker(cfg, source: str) -> str | None:
    """The broker, or None when replay should use the store (asked for, or no broker answers)."""
    return None if source == "store" else find_bootstrap(cfg)


class _Progress:
    """A progress bar on stderr once a window means many records; silent otherwise."""

    def __init__(self) -> None:
        self.bar = None
        self.shown = 0

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None and total >= PROGRESS_FROM:
            self.bar = typer.progressbar(length=total, label="reading", file=sys.stderr)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(done - self.shown)
            self.shown = done
            if done >= total:
                self.bar.__exit__(None, None, None)
                self.bar = None


def _write(content: str | bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.write(content if isinstance(content, str) else content.decode())
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(content if isinstance(content, bytes) else content.encode())
    typer.echo(f"wrote {out}", err=True)
