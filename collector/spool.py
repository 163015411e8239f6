"""An append-only, fsynced spool of encoded events, drained in order.

Lines of JSON in ``spool.log``; ``spool.cursor`` holds the byte offset of the first line not
yet on Kafka. Appends are fsynced before they return, so an event in the spool survives a
crash; the cursor moves only after the broker acknowledged, so a crash while draining
resends (the store is idempotent by event id). When everything is drained the files are
truncated.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path


class Spool:
    """Durable FIFO of byte records (one per line, no newlines inside: compact JSON)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "spool.log"
        self.cursor_path = folder / "spool.cursor"
        self._lock = threading.Lock()
        self._log = open(self.log_path, "ab")
        self._size = self._log.tell()
        self._offset = self._read_cursor()

    def append(self, record: bytes) -> None:
        """Add one record and make it durable."""
        if b"\n" in record:
            raise ValueError("spool records are single lines")
        with self._lock:
            self._log.write(record + b"\n")
            self._log.flush()
            os.fsync(self._log.fileno())
            self._size += len(record) + 1

    def pending(self, limit: int = 1000) -> list[tuple[bytes, int]]:
        """Up to ``limit`` records not yet drained, each with the offset just after it (for ``commit``)."""
        with self._lock, open(self.log_path, "rb") as log:
            end = self._offset
            log.seek(end)
            records = []
            for line in log:
                if not line.endswith(b"\n") or len(records) >= limit:
                    break  # a torn last line (crash mid-append) is not a record
                end += len(line)
                records.append((line[:-1], end))
            return records

    def commit(self, offset: int) -> None:
        """Mark everything before ``offset`` as on Kafka; truncate when nothing is left."""
        with self._lock:
            if offset >= self._size:
                self._log.truncate(0)
                self._log.seek(0)
                offset = self._size = 0
            tmp = self.cursor_path.with_suffix(".tmp")
            tmp.write_text(str(offset))
            os.replace(tmp, self.cursor_path)
            self._offset = offset

    def __len__(self) -> int:
        return len(self.pending(limit=10**9))

    @property
    def empty(self) -> bool:
        """Whether nothing waits to be drained."""
        return self._size <= self._offset

    def close(self) -> None:
        """Close the log file."""
        self._log.close()

    def _read_cursor(self) -> int:
        try:
            return int(self.cursor_path.read_text() or 0)
        except FileNotFoundError:
            return 0
