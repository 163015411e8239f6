"""Run a Faust app: as the process's worker (CLI), or embedded in an existing loop."""

from __future__ import annotations

import asyncio
import logging

import faust

from stream.changelogs import create_changelogs

FRAMEWORK = ("faust", "mode")  # their INFO lines say what the worker is doing (start, assignment)
CLIENTS = ("kafka", "aiokafka")  # one line per retry at INFO; see douane.cli.repeats


class EmbeddedWorker(faust.Worker):
    """A Faust worker inside someone else's event loop: no signal handlers, no logging setup."""

    def __init__(self, app: faust.App, **kwargs) -> None:
        super().__init__(app, loop=asyncio.get_running_loop(), override_logging=False, quiet=True, daemon=False, **kwargs)
        self.ready = asyncio.Event()
        self.spinner = None  # no terminal animation inside a host program

    def install_signal_handlers(self) -> None:
        """The host program owns the signals."""

    async def on_startup_finished(self) -> None:
        """Mark the worker ready once the app has joined its group."""
        await super().on_startup_finished()
        self.ready.set()

    async def __aenter__(self) -> "EmbeddedWorker":
        await asyncio.to_thread(create_changelogs, self.app)  # before Faust looks for them (stream.changelogs)
        await self.start()
        return self

    async def wait_ready(self, timeout: float = 60.0) -> None:
        """Wait until the app has joined its consumer group and can process."""
        await asyncio.wait_for(self.ready.wait(), timeout)

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


def run_worker(app: faust.App, loglevel: str = "info") -> None:
    """Run ``app`` as this process's Faust worker until SIGINT/SIGTERM (does not return).

    The process's log handlers stay the caller's: Faust's own set-up would replace the root handlers,
    and with them Douane's line format and the Kafka clients' repeat limit (``douane.cli.repeats``).
    """
    create_changelogs(app)  # before Faust looks for them (stream.changelogs)
    log_at(loglevel)
    faust.Worker(app, loglevel=loglevel, override_logging=False).execute_from_commandline()


def log_at(loglevel: str) -> None:
    """The worker's level for Douane's and Faust's loggers; the Kafka clients stay at warnings or above."""
    level = logging.getLevelName(loglevel.upper())
    if not isinstance(level, int):
        raise ValueError(f"unknown log level {loglevel!r}: use debug, info, warning or error")
    logging.getLogger().setLevel(level)
    for name in FRAMEWORK:
        logging.getLogger(name).setLevel(level)
    for name in CLIENTS:
        logging.getLogger(name).setLevel(max(logging.WARNING, level))
