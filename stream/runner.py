"""Run a Faust app: as the process's worker (CLI), or embedded in an existing loop."""

from __future__ import annotations

import asyncio

import faust

from stream.changelogs import create_changelogs


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
    """Run ``app`` as this process's Faust worker until SIGINT/SIGTERM (does not return)."""
    create_changelogs(app)  # before Faust looks for them (stream.changelogs)
    faust.Worker(app, loglevel=loglevel).execute_from_commandline()
