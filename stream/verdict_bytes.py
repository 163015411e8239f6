"""Encoding verdicts for ``douane.findings`` without serialising the same findings again and again.

A verdict is the event's id, tenant and time around parts the engine memoises per decision (the
findings' texts, the articles, the basis...). pydantic's ``model_dump_json`` cost ~30 µs per
verdict, most of it those texts. :class:`VerdictBytes` serialises each distinct set of parts once,
with pydantic, around placeholders, and for every later verdict of that set splices the three
event fields into the saved pieces. The bytes are those :func:`douane.contract.encode` writes
(``tests/stream/test_verdict_bytes.py`` compares them over the example traffic).
"""

from __future__ import annotations

import operator
from datetime import datetime, timezone
from uuid import UUID

import msgspec

from douane.contract import Verdict, encode

_EVENT_FIELDS = ("event_id", "tenant", "decided_at")
_PARTS = tuple(name for name in Verdict.model_fields if name not in _EVENT_FIELDS)
_parts_of = operator.itemgetter(*_PARTS)
_json = msgspec.json.Encoder().encode  # a UUID, a slug and a UTC time written as pydantic writes them
_ID = UUID("00000000-0000-7000-8000-00000000d0a5")
_TENANT = "douane-placeholder-tenant"
_AT = datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=timezone.utc)
_LIMIT = 4096  # distinct part sets kept; more, and the memo starts again (memory stays bounded)


class VerdictBytes:
    """``encode(verdict)`` for verdicts of the stream, each distinct set of memoised parts serialised once."""

    def __init__(self) -> None:
        self._pieces: dict[int, tuple[dict, tuple[bytes, ...]]] = {}  # by id of the findings tuple

    def __call__(self, verdict: Verdict) -> bytes:
        """The verdict's wire bytes."""
        values = verdict.__dict__
        at = values["decided_at"]
        if at.tzinfo is not timezone.utc:
            return encode(verdict)  # an offset pydantic writes its own way: leave it to pydantic
        entry = self._pieces.get(id(values["findings"]))  # a tuple the engine makes once per decision
        if entry is None or not _same(entry[0], values):
            entry = self._remember(verdict)
        head, after_id, after_tenant, tail = entry[1]
        return b"".join((head, _json(values["event_id"]), after_id, _json(values["tenant"]), after_tenant,
                         _json(at), tail))

    def _remember(self, verdict: Verdict) -> tuple[dict, tuple[bytes, ...]]:
        """Serialise the parts around the placeholders once; the entry keeps the parts alive (ids stay theirs)."""
        if len(self._pieces) >= _LIMIT:
            self._pieces.clear()
        values = verdict.__dict__  # model_copy keeps the fields' order, which pydantic writes them in
        text = encode(verdict.model_copy(update={"event_id": _ID, "tenant": _TENANT, "decided_at": _AT}))
        head, rest = text.split(_json(_ID), 1)
        after_id, rest = rest.split(_json(_TENANT), 1)
        after_tenant, tail = rest.split(_json(_AT), 1)
        entry = self._pieces[id(values["findings"])] = (values, (head, after_id, after_tenant, tail))
        return entry


def _same(seen: dict, values: dict) -> bool:
    """Whether ``values`` holds the very parts of ``seen``, in the same order (pydantic writes them in it)."""
    return tuple(seen) == tuple(values) and all(map(operator.is_, _parts_of(seen), _parts_of(values)))

