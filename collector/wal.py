"""Group commit: many callers' records made durable with one write and one fsync.

A caller hands a record over and gets a future; a committer thread takes everything handed over
since its last fsync, appends it to the spool in one write, fsyncs once, and resolves every
future. Under load the batches grow by themselves (what arrives during one fsync goes into the
next), which is how write-ahead logs keep fsync off the per-record path; idle, a record waits
for one fsync only.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future

from collector.spool import Spool

logger = logging.getLogger(__name__)

_STOP = object()


class GroupCommit:
    """Appends records to ``spool`` in fsynced groups; ``on_commit`` runs after each group is durable."""

    def __init__(self, spool: Spool, on_commit: Callable[[], None], max_group: int = 2000) -> None:
        self.spool = spool
        self.on_commit = on_commit
        self.max_group = max_group
        self.failed: BaseException | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="douane-wal", daemon=True)
        self._thread.start()

    def submit(self, record: bytes) -> Future:
        """A future that completes once ``record`` is on disk (or fails with the disk's error)."""
        future: Future = Future()
        self._queue.put((record, future))
        return future

    @property
    def queued(self) -> int:
        """Records handed over and not yet on disk."""
        return self._queue.qsize()

    def close(self, timeout: float = 10.0) -> None:
        """Commit what was handed over, then stop."""
        self._queue.put(_STOP)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            group = [self._queue.get()]
            while len(group) < self.max_group:
                try:
                    group.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            stop = any(item is _STOP for item in group)
            self._commit([item for item in group if item is not _STOP])
            if stop:
                return

    def _commit(self, group: list[tuple[bytes, Future]]) -> None:
        if not group:
            return
        try:
            self.spool.append_many([record for record, _future in group])
        except (OSError, ValueError) as exc:
            self.failed = exc
            logger.error("the spool %s cannot be written (%s): calls are refused until it can",
                         self.spool.log_path, type(exc).__name__)
            for _record, future in group:
                future.set_exception(exc)
            return
        self.failed = None
        for _record, future in group:
            future.set_result(None)
        self.on_commit()
