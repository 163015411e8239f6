"""Run a Faust app: as the process's worker (CLI), or embedded in an existing loop."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

import faust

from stream.changelogs import create_changelogs

FRAMEWORK = ("faust", "mode")  # their INFO lines say what the worker is doing (start, assignment)
CLIENTS = ("kafka", "aiokafka")  # one line per retry at INFO; see douane.cli.repeats
STOP_DEADLINE = 20.0
"""Seconds a worker asked to stop may take before it exits anyway: under Kubernetes' default grace of 30 s."""
STOPPED_SHORT = 3  # the exit status of a worker that hit its stop deadline

logger = logging.getLogger(__name__)


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


class DeadlineWorker(faust.Worker):
    """Faust's worker with a deadline on its stop.

    With the broker gone, Faust's consumer thread can die of a cancelled fetch while it stops, and the
    worker then waits for it for ever (seen: still running 45 s after SIGTERM). Once asked to stop, the
    worker exits after :data:`STOP_DEADLINE` seconds at the latest, with status :data:`STOPPED_SHORT`.
    Nothing is lost: the judge commits a poll only once its output is on the broker, so what it had not
    committed is judged again by the next owner of its partitions.
    """

    def _schedule_shutdown(self, signum: signal.Signals) -> None:
        if not self._signal_stop_time:
            timer = threading.Timer(STOP_DEADLINE, _stop_cut_short, args=(signum,))
            timer.daemon = True
            timer.start()
        super()._schedule_shutdown(signum)


def _stop_cut_short(signum: signal.Signals) -> None:
    logger.error("the worker did not stop within %.0f s of %s (is Kafka reachable?): exiting now; calls it had "
                 "not committed are judged again by the next worker", STOP_DEADLINE, signal.Signals(signum).name)
    logging.shutdown()
    os._exit(STOPPED_SHORT)


def run_worker(app: faust.App, loglevel: str = "info") -> None:
    """Run ``app`` as this process's Faust worker until SIGINT/SIGTERM (does not return; a stop has a deadline,
    see :class:`DeadlineWorker`).

    The process's log handlers stay the caller's: Faust's own set-up would replace the root handlers,
    and with them Douane's line format and the Kafka clients' repeat limit (``douane.cli.repeats``).
    """
    create_changelogs(app)  # before Faust looks for them (stream.changelogs)
    log_at(loglevel)
    DeadlineWorker(app, loglevel=loglevel, override_logging=False).execute_from_commandline()


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
