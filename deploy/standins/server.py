"""An aiohttp server on a free loopback port, in a thread of its own: the base of the stand-ins."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web


class ThreadedServer:
    """Subclasses add routes in :meth:`routes`; ``start`` returns once the port is bound."""

    host = "127.0.0.1"
    port: int = 0

    def routes(self, app: web.Application) -> None:
        """Register the handlers."""
        raise NotImplementedError

    def start(self):
        """Serve in a daemon thread; returns self."""
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True).start()
        if not ready.wait(10):
            raise RuntimeError(f"{type(self).__name__} did not start within 10 s")
        return self

    def stop(self) -> None:
        """Shut the server down."""
        self._loop.call_soon_threadsafe(self._stopping.set)

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self._run(ready))

    async def _run(self, ready: threading.Event) -> None:
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=16 * 1024 * 1024)
        self.routes(app)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, self.host, 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        ready.set()
        await self._stopping.wait()
        await runner.cleanup()
