"""``douane gateway``: the tapping reverse proxy shops point their AI base URL at."""

from __future__ import annotations

from pathlib import Path

import typer

from douane.cli.common import bootstrap, fail, settings

app = typer.Typer(help="Run the tapping gateway.", no_args_is_help=True)


@app.command()
def serve(
    config: Path = typer.Option(..., "--config", exists=True, dir_okay=False, help="gateway YAML (tenants, upstreams)"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8080, min=1, max=65535),
) -> None:
    """Serve the OpenAI/Anthropic-compatible gateway with /healthz, /readyz and /metrics."""
    import uvicorn

    from collector.gateway import load_gateway_config
    from collector.gateway.build import build_gateway
    from rules.errors import RuleDataError

    try:
        cfg = load_gateway_config(config)
    except ValueError as exc:
        fail(str(exc))
    address = bootstrap(settings())
    try:
        gateway = build_gateway(cfg, address)
    except RuleDataError as exc:
        fail(str(exc))
    typer.echo(f"gateway on http://{host}:{port} for {len(cfg.tenants)} tenant(s), Kafka {address}", err=True)
    uvicorn.run(gateway.app, host=host, port=port, log_level="warning", access_log=False)


@app.command("hash-key")
def hash_key_command(key: str = typer.Argument(..., help="a tenant's Douane key")) -> None:
    """Print the SHA-256 to store in the gateway config (the key itself is never stored)."""
    from collector.gateway import hash_key

    typer.echo(hash_key(key))
