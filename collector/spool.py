"""The outbox's write-ahead log: an append-only, fsynced file of encoded events, sent in order.

Lines of JSON in ``spool.log``; ``spool.cursor`` holds the byte offset of the first line not
yet on Kafka. Every event is appended here (and fsynced) before its caller is answered, and the
sender reads from here; the cursor moves only after the broker acknowledged, so a crash while
sending resends (and the outbox's doubt ledger skips what already landed). When everything is
sent the files are truncated: the cursor is reset first, so a crash between the two replays the
log rather than skipping new records.

One process owns a spool folder (``spool.lock``, an ``flock``): a second gateway on the same
folder is refused. At open, a torn last line (a crash mid-append) is cut off with a warning
naming the file and the byte offset.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from pathlib import Path

logger = logging.getLogger(__name__)

# fdatasync flushes the data and the metadata needed to read it back (an append's new file size),
# not the times: what a log needs, one journal update less than fsync where the file system can
sync_file = os.fdatasync


class SpoolError(RuntimeError):
    """A spool that cannot be used: locked by another process, or a state file that is not readable."""


class Spool:
    """Durable FIFO of byte records (one per line, no newlines inside: compact JSON)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.log_path = folder / "spool.log"
        self.cursor_path = folder / "spool.cursor"
        self._lock_file = _lock(folder / "spool.lock")
        self._lock = threading.Lock()
        _cut_torn_tail(self.log_path)
        self._log = open(self.log_path, "ab")
        self._size = self._log.tell()
        self._offset = self._read_cursor()
        self._count = sum(1 for _ in self._lines(self._offset, 10**12))

    def append(self, record: bytes) -> None:
        """Add one record and make it durable."""
        self.append_many([record])

    def append_many(self, records: list[bytes]) -> None:
        """Add ``records`` with one write and one fsync (a group commit); all or none are kept."""
        if any(b"\n" in record for record in records):
            raise ValueError("spool records are single lines")
        data = b"".join(record + b"\n" for record in records)
        with self._lock:
            try:
                self._log.write(data)
                self._log.flush()
                sync_file(self._log.fileno())
            except OSError:
                self._log.truncate(self._size)  # never leave half a batch for the next append to glue onto
                raise
            self._size += len(data)
            self._count += len(records)

    def pending(self, limit: int = 1000) -> list[tuple[bytes, int]]:
        """Up to ``limit`` records not yet sent, each with the offset just after it (for ``commit``)."""
        with self._lock:
            return list(self._lines(self._offset, limit))

    def commit(self, offset: int, records: int) -> None:
        """Mark everything before ``offset`` (``records`` records) as on Kafka; truncate when nothing is left."""
        with self._lock:
            drained = offset >= self._size
            _write_atomically(self.cursor_path, "0" if drained else str(offset))
            if drained:
                self._log.truncate(0)
                self._log.seek(0)
                offset = self._size = 0
            self._offset = offset
            self._count = max(0, self._count - records)

    def __len__(self) -> int:
        return self._count

    @property
    def empty(self) -> bool:
        """Whether nothing waits to be sent."""
        return self._size <= self._offset

    def close(self) -> None:
        """Close the log file and give the folder up."""
        self._log.close()
        self._lock_file.close()

    def _lines(self, start: int, limit: int):
        with open(self.log_path, "rb") as log:
            log.seek(start)
            end = start
            for line in log:
                if not line.endswith(b"\n") or limit <= 0:
                    return
                end += len(line)
                limit -= 1
                yield line[:-1], end

    def _read_cursor(self) -> int:
        try:
            text = self.cursor_path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            return 0
        except (OSError, UnicodeDecodeError) as exc:
            raise SpoolError(f"{self.cursor_path}: cannot be read ({exc})") from None
        if not text.isdigit() or int(text) > self._size:
            raise SpoolError(f"{self.cursor_path}: holds {text[:40]!r}, not a byte offset within {self.log_path} "
                             f"({self._size} bytes). Delete it to resend the whole spool (the outbox skips "
                             "what already reached Kafka, and the store is idempotent by event id).")
        return int(text)


def _lock(path: Path):
    handle = open(path, "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise SpoolError(f"spool folder {path.parent} is in use by another gateway (pid {holder}); give each "
                         "gateway a spool_dir of its own") from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _cut_torn_tail(path: Path) -> None:
    """A last line without its newline was being written when the process died: it is not a record."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with open(path, "r+b") as log:
        size = log.seek(0, os.SEEK_END)
        keep = _last_newline_end(log, size)
        if keep < size:
            logger.warning("%s: cut a torn last record at byte offset %d (%d bytes of an append a crash "
                           "interrupted; that call was never answered)", path, keep, size - keep)
            log.truncate(keep)
            os.fsync(log.fileno())


def _last_newline_end(log, size: int, block: int = 1 << 16) -> int:
    """The offset just after the last newline in the file (0 when there is none)."""
    position = size
    while position > 0:
        start = max(0, position - block)
        log.seek(start)
        chunk = log.read(position - start)
        found = chunk.rfind(b"\n")
        if found >= 0:
            return start + found + 1
        position = start
    return 0


def _write_atomically(path: Path, text: str) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="ascii")
    os.replace(tmp, path)
