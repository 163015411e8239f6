"""``douane gateway``: the tapping reverse proxy shops point their AI base URL at."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from douane.cli.common import bootstrap, fail, settings

if TYPE_CHECKING:
    from collector.gateway.config import GatewayConfig

app = typer.Typer(help="Run the tapping gateway.", no_args_is_help=True)


class Server(str, Enum):
    """The ASGI servers the gateway runs on."""

    UVICORN = "uvicorn"
    GRANIAN = "granian"


@app.command()
def serve(
    config: Path = typer.Option(..., "--config", exists=True, dir_okay=False, help="gateway YAML (tenants, upstreams)"),
    host: str = typer.Option("127.0.0.1", help="address to listen on"),
    port: int = typer.Option(8080, min=1, max=65535),
    server: Server = typer.Option(Server.UVICORN, help="ASGI server (see bench/gateway_latency.py for the figures)"),
    dev: bool = typer.Option(False, "--dev", help="accept the built-in content key (tests and demos only)"),
) -> None:
    """Serve the OpenAI/Anthropic-compatible gateway with /healthz, /readyz and /metrics."""
    import uvicorn

    from collector.gateway import load_gateway_config
    from collector.gateway.build import build_gateway, check_content_key
    from collector.gateway.server import uvicorn_config
    from collector.spool import SpoolError
    from rules.errors import RuleDataError
    from rules.policy import load_policy

    try:
        cfg = load_gateway_config(config)
        for tenant in cfg.tenants:
            load_policy(tenant.policy)  # a broken policy is named here, before any server starts
        check_content_key(cfg, dev)
    except (ValueError, RuleDataError, SpoolError) as exc:
        fail(str(exc))
    address = bootstrap(settings())
    typer.echo(f"gateway on http://{host}:{port} ({server.value}) for {len(cfg.tenants)} tenant(s), "
               f"Kafka {address}", err=True)
    if server is Server.GRANIAN:
        _granian(config, address, host, port, dev, cfg)
        return
    try:
        gateway = build_gateway(cfg, address, dev=dev)
    except (ValueError, SpoolError) as exc:
        fail(str(exc))
    uvicorn.Server(uvicorn_config(gateway.app, cfg, host, port)).run()


def _granian(config: Path, address: str, host: str, port: int, dev: bool, cfg: GatewayConfig) -> None:
    """Serve with granian, which imports the app by name (``collector.gateway.asgi:create``)."""
    import os

    try:
        from granian import Granian
    except ImportError:
        fail("granian is not installed: pip install 'douane[granian]'")
    from collector.gateway.server import granian_http1

    os.environ.update(DOUANE_GATEWAY_CONFIG=str(config.absolute()), DOUANE_KAFKA_BOOTSTRAP=address,
                      DOUANE_GATEWAY_DEV="1" if dev else "0")
    Granian("collector.gateway.asgi:create", address=host, port=port, interface="asgi", factory=True,
            log_level="warning", http1_settings=granian_http1(cfg)).serve()


@app.command("hash-key")
def hash_key_command(key: str = typer.Argument(..., help="a tenant's Douane key")) -> None:
    """Print the SHA-256 to store in the gateway config (the key itself is never stored)."""
    from collector.gateway import hash_key

    typer.echo(hash_key(key))
