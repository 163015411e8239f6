"""Run a worker with its health and metrics endpoints until a signal stops it."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web

from inference.worker import InferenceWorker

logger = logging.getLogger(__name__)


def health_app(worker: InferenceWorker) -> web.Application:
    """``/healthz`` (alive), ``/readyz`` (partitions assigned, engine started), ``/metrics``."""

    async def healthz(_: web.Request) -> web.Response:
        return web.json_response({"status": "alive", "engine": worker.engine.name})

    async def readyz(_: web.Request) -> web.Response:
        ready = worker.ready.is_set()
        return web.json_response({"ready": ready, "answered": worker.answered}, status=200 if ready else 503)

    async def metrics(_: web.Request) -> web.Response:
        return web.Response(body=worker.metrics.render(), content_type="text/plain")

    app = web.Application()
    app.add_routes([web.get("/healthz", healthz), web.get("/readyz", readyz), web.get("/metrics", metrics)])
    return app


async def serve(worker: InferenceWorker, host: str = "127.0.0.1", port: int | None = None) -> None:
    """Run ``worker`` (and its HTTP endpoints when ``port`` is given); SIGINT/SIGTERM stop it cleanly."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, worker.stop)
    runner = None
    if port is not None:
        runner = web.AppRunner(health_app(worker), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, host, port).start()
        logger.info("inference endpoints on http://%s:%d", host, port)
    try:
        await worker.run()
    finally:
        if runner is not None:
            await runner.cleanup()
