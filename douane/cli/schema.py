"""``douane schema``: the JSON Schemas of the wire contract."""

from __future__ import annotations

from pathlib import Path

import typer

from douane.contract import json_schemas
from douane.contract.codec import dumps_pretty


def schema(
    name: str = typer.Argument(None, help="douane.ai_call/1 or douane.verdict/1; all when omitted"),
    out: Path = typer.Option(None, help="write one <name>.schema.json per model into this folder"),
) -> None:
    """Print the JSON Schemas of the wire contract."""
    schemas = json_schemas()
    if name:
        if name not in schemas:
            raise typer.BadParameter(f"unknown schema {name!r}; known: {', '.join(schemas)}")
        schemas = {name: schemas[name]}
    if out is None:
        typer.echo(dumps_pretty(schemas if len(schemas) > 1 else next(iter(schemas.values()))))
        return
    out.mkdir(parents=True, exist_ok=True)
    for key, body in schemas.items():
        path = out / (key.replace("/", "-v") + ".schema.json")
        path.write_text(dumps_pretty(body) + "\n")
        typer.echo(str(path))
