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


class Doubt:
    """The in-doubt ledger of one outbox."""

    def __init__(self, path: Path) -> None:
        self.path = path
        state = json.loads(path.read_text()) if path.exists() else {}
        self._floors: dict[int, int] = {int(p): o for p, o in state.get("floors", {}).items()}
        self.suspects: set[str] = set(state.get("suspects", ()))
        self._found: set[str] = set(state.get("found", ()))

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

    def acknowledged(self, partition: int, offset: int) -> None:
        """The broker holds our record at ``offset``; anything in doubt later comes after it."""
        self._floors[partition] = max(self._floors.get(partition, 0), offset + 1)

    def suspect(self, *event_ids: str) -> None:
        """Sends of ``event_ids`` got no acknowledgement (written once for all of them)."""
        self.suspects.update(event_ids)
        self._save()

    def settle(self, found: set[str]) -> None:
        """The tail was read: ``found`` are on the broker, the other suspects are not."""
        self._found |= found
        self.suspects.clear()
        self._save()

    def already_there(self, event_id: str) -> bool:
        """True once for each settled id that reached the broker (the drain skips it)."""
        if event_id not in self._found:
            return False
        self._found.discard(event_id)
        self._save()
        return True

    def _save(self) -> None:
        state = {"floors": self._floors, "suspects": sorted(self.suspects), "found": sorted(self._found)}
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps(state))
        os.replace(tmp, self.path)
