"""The compiled gate kept on disk, so that a process that detects starts in milliseconds.

Compiling the detectors' Hyperscan database costs about 10 s of CPU (more on a busy machine), and
every process that detects paid it when it imported ``collector.detect``: the gateway, each of
its scanning worker processes, every test process. The database is serialised once
(``hyperscan.dumpb``) under a name that hashes everything it was compiled from (Hyperscan's
version, the mode, every expression and flag), so a changed pattern never loads a stale one; a
file that does not load (another CPU, a torn write) is compiled again and replaced. The folder
is ``$DOUANE_GATE_CACHE``, else ``$XDG_CACHE_HOME/douane`` or ``~/.cache/douane``; when it
cannot be written the gate is only compiled, as before.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)


def folder() -> Path | None:
    """Where compiled gates are kept, or None when no folder can be named."""
    if own := os.environ.get("DOUANE_GATE_CACHE"):
        return Path(own)
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    except RuntimeError:  # no home directory
        return None
    return base / "douane"


def key(version: str, mode: int, expressions: Sequence[bytes], flags: Sequence[int]) -> str:
    """A name for the database compiled from exactly these inputs."""
    digest = hashlib.sha256(f"{version}\x00{mode}\x00".encode())
    for expression, flag in zip(expressions, flags, strict=True):
        digest.update(expression + b"\x00" + str(flag).encode() + b"\x01")
    return digest.hexdigest()[:32]


def cached(hyperscan, mode: int, expressions: Sequence[bytes], flags: Sequence[int], compile_: Callable,
           refresh: bool = False):
    """The database for these inputs: loaded from the cache, else ``compile_()`` and kept for next time;
    ``refresh``: compiled and kept whatever the cache holds (a kept file that loaded but does not fit)."""
    where = folder()
    path = where / f"gate-{key(getattr(hyperscan, '__version__', '?'), mode, expressions, flags)}.hsdb" if where else None
    if path is not None and not refresh:
        try:
            return hyperscan.loadb(path.read_bytes(), mode=mode)
        except FileNotFoundError:
            pass  # the first start: compiled below, then kept
        except (OSError, hyperscan.error) as exc:
            logger.warning("the cached detection gate %s does not load (%s): compiling it again", path, exc)
    database = compile_()
    if path is not None and database is not None:
        _keep(path, hyperscan.dumpb(database))
    return database


def _keep(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (another process may read it meanwhile)."""
    temp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # a kept database is trusted like code
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except OSError as exc:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)  # a full disk leaves no half file behind
        logger.info("the detection gate is not cached (%s): it is compiled at each start", exc)
