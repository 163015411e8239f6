"""Where ``douane demo`` runs: the broker it uses (and stops when it started it), and its fresh run folder."""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from douane.cli.common import fail, local_broker
from douane.cli.demo_screens import Broker


def start_broker(cfg) -> Broker:
    """The broker to use: DOUANE_KAFKA_BOOTSTRAP's, else the local one (started when it is not running)."""
    from deploy.kafka import BrokerError, JarsError

    if cfg.kafka_bootstrap:
        return Broker(cfg.kafka_bootstrap, started_here=False, external=True)
    local = local_broker(cfg)
    try:
        before = local.status()
        address = local.up().bootstrap
    except (BrokerError, JarsError) as exc:
        fail(str(exc))
    return Broker(address, started_here=not (before.running and before.answering), external=False)


def stop_broker(cfg) -> bool:
    """Stop the local broker; False when none was running."""
    return local_broker(cfg).down()


def run_folder(home: Path) -> Path:
    """A fresh folder per run (``<home>/runs/<time>``), so a second run never adds to the first one's figures;
    ``<home>/runs/latest`` points at it."""
    runs = home / "runs"
    run = runs / datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    if run.exists():
        run = run.with_name(f"{run.name}-{uuid.uuid4().hex[:6]}")
    run.mkdir(parents=True)
    latest = runs / "latest"
    try:
        if latest.is_symlink() or latest.exists():
            latest.unlink()
        latest.symlink_to(run.name)
    except OSError:
        pass  # a file system without links: the run folder's path is printed anyway
    return run


def env_prefix() -> str:
    """The DOUANE_* variables a user set for this broker, to repeat before 'douane kafka down'."""
    names = ("DOUANE_HOME", "DOUANE_KAFKA_PORT", "DOUANE_KAFKA_CONTROLLER_PORT")
    return "".join(f"{n}={os.environ[n]} " for n in names if os.environ.get(n))
