"""What the outbox does not know for sure: sends whose acknowledgement was lost.

Kept in a small JSON file beside the spool, so a restart does not forget it: the ids in
doubt, the per-partition offsets after which they can only be, and, once settled, the ids
found on the broker (to be skipped when the spool drains). It is written only when a send
falls into doubt or is settled, which is rare; the acknowledgements themselves stay in memory.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from collector.spool import SpoolError


class Doubt:
    """The in-doubt ledger of one outbox."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._floors, self.suspects, self._found = _read(path)

    @property
    def pending(self) -> bool:
        """Whether some send must be settled before the spool may drain."""
        return bool(self.suspects)

    @property
    def floors(self) -> dict[int, int]:
        """Per partition, the offset at or after which a doubtful record can be."""
        return dict(self._floors)

    def restart(self, ends: dict[int, int]) -> None:
        """Nothing is in doubt: the search for future doubts starts at the topic's current ends."""
        self._floors = dict(ends)
        self.save()  # a restart after a crash must know where this process's sends can be

    def acknowledged(self, partition: int, offset: int) -> None:
        """The broker holds our record at ``offset``; anything in doubt later comes after it."""
        self._floors[partition] = max(self._floors.get(partition, 0), offset + 1)

    def suspect(self, *event_ids: str) -> None:
        """Sends of ``event_ids`` got no acknowledgement (written once for all of them)."""
        self.suspects.update(event_ids)
        self.save()

    def settle(self, found: set[str]) -> None:
        """The tail was read: ``found`` are on the broker, the other suspects are not."""
        self._found |= found
        self.suspects.clear()
        self.save()

    def already_there(self, event_id: str) -> bool:
        """True once for each settled id that reached the broker (the drain skips it)."""
        if event_id not in self._found:
            return False
        self._found.discard(event_id)  # saved with the next commit: until then the id is still skipped
        return True

    def save(self) -> None:
        """Write the ledger (after the spool's cursor moved: stale floors are safe, early ones are not)."""
        state = {"floors": self._floors, "suspects": sorted(self.suspects), "found": sorted(self._found)}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path)


def _read(path: Path) -> tuple[dict[int, int], set[str], set[str]]:
    """Floors, suspects and found ids from ``path`` (empty when there is no file yet)."""
    if not path.exists():
        return {}, set(), set()
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(state, dict):
            raise ValueError("not a JSON object")
        floors = {int(p): int(o) for p, o in state.get("floors", {}).items()}
        return floors, {str(i) for i in state.get("suspects", ())}, {str(i) for i in state.get("found", ())}
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        raise SpoolError(f"{path}: unreadable in-doubt ledger ({type(exc).__name__}: {exc}). Delete it to go on: "
                         "sends in doubt are then resent, and the store, idempotent by event id, drops the "
                         "copies.") from None
