"""The call a published finding or signal came from, in a Kafka header beside the record's value.

The judge puts ``douane.source`` (``douane.ai-calls/partition@offset``, as ``douane.dlq.source``
writes it) on each record it publishes to ``douane.findings`` and ``douane.incidents``. A batch
judged again after a worker was killed before its commit yields new records with new offsets, but
the same sources: the incident desk counts a call once by them. The record's value, the wire
contract, is unchanged; a record without the header (an older producer) is counted as before.
"""

from __future__ import annotations

from douane.contract.topics import TOPICS

SOURCE = "douane.source"
CALLS = TOPICS.ai_calls.name


_CALL_AT = CALLS.encode() + b"/%d@%d"


def source_headers(partition: int, offset: int) -> list[tuple[str, bytes]]:
    """The header naming the call at ``partition`` and ``offset`` of ``douane.ai-calls`` (one per published
    record of a batch: formatted as bytes, with no text encoded)."""
    return [(SOURCE, _CALL_AT % (partition, offset))]


def read_source(headers: dict[str, bytes] | list[tuple[str, bytes]] | None) -> tuple[int, int] | None:
    """The (partition, offset) on ``douane.ai-calls`` a record's headers name; None without a valid one."""
    found = (headers.get(SOURCE) if isinstance(headers, dict)
             else next((v for k, v in headers or () if k == SOURCE), None))
    if not found:
        return None
    topic, _, where = found.decode(errors="replace").rpartition("/")
    partition, _, offset = where.partition("@")
    if topic != CALLS or not partition.isdigit() or not offset.isdigit():
        return None
    return int(partition), int(offset)
