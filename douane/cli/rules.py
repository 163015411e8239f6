"""``douane rules``: evaluate events, validate rule data, explain a decision."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from douane.cli.common import fail

app = typer.Typer(help="The law as data and the Chapter V / NIS2 decision engine.", no_args_is_help=True)

POLICY = typer.Option(..., "--policy", exists=True, dir_okay=False, help="the organisation's policy YAML")
REGISTRY = typer.Option(None, "--registry", exists=True, file_okay=False,
                        help="folder with providers.yaml (and optionally jurisdictions.yaml); default: shipped")


def _engine(policy: Path, registry: Path | None):
    from rules.engine import Engine
    from rules.errors import RuleDataError
    from rules.jurisdictions import load_jurisdictions
    from rules.policy import load_policy
    from rules.registry import load_registry

    try:
        providers = load_registry(registry / "providers.yaml") if registry else load_registry()
        own = registry / "jurisdictions.yaml" if registry else None
        jurisdictions = load_jurisdictions(own) if own and own.exists() else load_jurisdictions()
        return Engine(providers, load_policy(policy), jurisdictions)
    except RuleDataError as exc:
        fail(str(exc))


@app.command()
def evaluate(policy: Path = POLICY, registry: Path = REGISTRY) -> None:
    """Read AICallEvent JSON lines on stdin; write one Verdict JSON line per event on stdout.

    A line that is not a valid event gets {"line": N, "error": "..."} instead; the rest go on.
    Exit status 1 when any line was bad.
    """
    import json

    from douane.contract import DecodeError, decode_event, encode

    engine = _engine(policy, registry)
    bad = 0
    out = sys.stdout
    for number, raw in enumerate(sys.stdin.buffer, 1):
        if not raw.strip():
            continue
        try:
            out.write(encode(engine.evaluate(decode_event(raw.rstrip(b"\r\n")))).decode() + "\n")
        except DecodeError as exc:
            bad += 1
            out.write(json.dumps({"line": number, "error": exc.reason}) + "\n")
    out.flush()
    if bad:
        typer.echo(f"{bad} line(s) were not valid events", err=True)
        raise typer.Exit(1)


@app.command()
def validate(files: list[Path] = typer.Argument(..., exists=True, dir_okay=False),
             as_json: bool = typer.Option(False, "--json", help="one JSON line per file on stdout")) -> None:
    """Check policy, registry, jurisdiction, finding and custom-rule files; name every problem."""
    import json

    from rules.validate import validate_file

    failed = 0
    for path in files:
        kind, problem = validate_file(path)
        failed += bool(problem)
        if as_json:
            typer.echo(json.dumps({"file": str(path), "kind": kind, "ok": not problem, "problem": problem}))
        elif problem:
            typer.secho(problem, err=True, fg=typer.colors.RED)
        else:
            typer.echo(f"ok  {path} ({kind})")
    if failed:
        raise typer.Exit(1)


@app.command()
def explain(
    policy: Path = POLICY,
    registry: Path = REGISTRY,
    event_file: Path = typer.Argument(None, exists=True, dir_okay=False, help="one AICallEvent JSON; stdin if omitted"),
) -> None:
    """Print the decision path for one event, in words."""
    from douane.contract import DecodeError, decode_event
    from rules.explain import explain as explain_event

    engine = _engine(policy, registry)
    raw = event_file.read_bytes() if event_file else sys.stdin.buffer.read()
    try:
        event = decode_event(raw.strip())
    except DecodeError as exc:
        fail(exc.reason)
    typer.echo(explain_event(engine, event))
