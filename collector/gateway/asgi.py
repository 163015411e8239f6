"""An import target for ASGI servers that load the app by name (granian): ``collector.gateway.asgi:create``.

The config file and the broker come from ``DOUANE_GATEWAY_CONFIG`` and ``DOUANE_KAFKA_BOOTSTRAP``
(``douane gateway serve --server granian`` sets both, and ``DOUANE_GATEWAY_DEV=1`` for ``--dev``).
"""

from __future__ import annotations

import os
from pathlib import Path

from collector.gateway.build import build_gateway
from collector.gateway.config import load_gateway_config


def create():
    """Build the gateway's ASGI app from the environment."""
    config = load_gateway_config(Path(os.environ["DOUANE_GATEWAY_CONFIG"]))
    dev = os.environ.get("DOUANE_GATEWAY_DEV") == "1"
    return build_gateway(config, os.environ["DOUANE_KAFKA_BOOTSTRAP"], dev=dev).app
