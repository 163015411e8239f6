"""Detection within a budget, off the event loop, so no request can stall the others.

A prompt of up to ``inline_chars`` characters is scanned in the request's own task (a typical
chat turn takes well under a millisecond there). A longer one goes to a worker process, one
request per worker at a time, and gets at most ``timeout_s``: past it the worker is killed and
replaced and the call carries ``scan = budget_exceeded``. Only the first ``max_chars`` characters
are ever scanned; the content hash always covers the whole text. Detection is called as
``collector.declare.personal_data(text, key, key_id)`` whichever way it runs. An OTLP export is one
request: its spans' texts share one budget (``personal_data_all``), however many spans it holds.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from multiprocessing.connection import Connection

from collector.declare import content_hash, personal_data
from douane.contract import PersonalData
from douane.contract.events import ScanState

logger = logging.getLogger(__name__)


class ScanWorker:
    """One detection process and the pipe to it."""

    def __init__(self) -> None:
        parent, child = multiprocessing.get_context("spawn").Pipe()
        self.process = multiprocessing.get_context("spawn").Process(target=_serve, args=(child,), daemon=True,
                                                                      name="douane-scan")
        self.process.start()
        child.close()
        self.conn: Connection = parent

    def scan(self, texts: list[str], key: bytes, key_id: str) -> list[PersonalData]:
        """Blocking: send the texts, wait for their results (EOFError once the process is killed)."""
        self.conn.send((texts, key, key_id))
        return self.conn.recv()

    def kill(self) -> None:
        """Stop the process whatever it is doing."""
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _serve(conn: Connection) -> None:
    while True:
        try:
            texts, key, key_id = conn.recv()
        except EOFError:
            return
        conn.send([personal_data(text, key, key_id) for text in texts])


class Scanner:
    """Runs detection for the gateway with a size and a time budget per request."""

    def __init__(self, key: bytes, key_id: str, *, workers: int, timeout_s: float, max_chars: int,
                 inline_chars: int) -> None:
        self.key, self.key_id = key, key_id
        self.timeout_s, self.max_chars, self.inline_chars = timeout_s, max_chars, inline_chars
        self.workers = workers
        self.exceeded = 0
        self._idle: asyncio.Queue[ScanWorker] | None = None
        self._replacing: set[asyncio.Task] = set()

    async def start(self) -> None:
        """Start the worker processes (in the server's event loop)."""
        self._idle = asyncio.Queue()
        for worker in await asyncio.gather(*(asyncio.to_thread(ScanWorker) for _ in range(self.workers))):
            self._idle.put_nowait(worker)

    async def close(self) -> None:
        """Stop the workers."""
        while self._idle is not None and not self._idle.empty():
            self._idle.get_nowait().kill()

    async def personal_data(self, text: str) -> PersonalData:
        """What ``text`` carries, with ``scan`` saying whether detection saw all of it."""
        [found] = await self.personal_data_all([text])
        return found

    async def personal_data_all(self, texts: list[str]) -> list[PersonalData]:
        """What each of ``texts`` carries, the texts of one request scanned within one budget: together
        at most ``max_chars`` characters (in order) and, off the event loop, ``timeout_s``."""
        seen, room = [], self.max_chars
        for text in texts:
            seen.append(text[:room])
            room -= len(seen[-1])
        if self.max_chars - room <= self.inline_chars or self._idle is None:
            found: list[PersonalData | None] = [personal_data(part, self.key, self.key_id) for part in seen]
        else:
            found = await self._in_worker(seen) or [None] * len(seen)
        return [self._within_budget(text, part, data) for text, part, data in zip(texts, seen, found, strict=True)]

    def _within_budget(self, text: str, seen: str, found: PersonalData | None) -> PersonalData:
        """``found`` when detection saw all of ``text``; else what it found marked ``budget_exceeded``."""
        if found is not None and len(seen) == len(text):
            return found
        self.exceeded += 1
        partial = found or PersonalData()
        whole = content_hash(text, self.key, self.key_id)
        return partial.model_copy(update={"scan": ScanState.BUDGET_EXCEEDED, "content_hash": whole})

    async def _in_worker(self, texts: list[str]) -> list[PersonalData] | None:
        """The worker's answers, or None when the budget ran out (the worker is then replaced)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout_s
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout_s)
        except TimeoutError:
            return None  # every worker is busy with a long text: this one is not waited for
        try:
            result = await asyncio.wait_for(asyncio.to_thread(worker.scan, texts, self.key, self.key_id),
                                            max(0.0, deadline - loop.time()))
        except (TimeoutError, EOFError, OSError) as exc:
            logger.warning("detection ran past its %.1f s budget on %d characters (%s); worker replaced",
                           self.timeout_s, sum(map(len, texts)), type(exc).__name__)
            task = asyncio.get_running_loop().create_task(self._replace(worker))
            self._replacing.add(task)
            task.add_done_callback(self._replacing.discard)
            return None
        self._idle.put_nowait(worker)
        return result

    async def _replace(self, worker: ScanWorker) -> None:
        await asyncio.to_thread(worker.kill)
        self._idle.put_nowait(await asyncio.to_thread(ScanWorker))
