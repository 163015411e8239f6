"""A batch of audited calls as the writer stores it: a typed Arrow table and each record's hash.

Building the table and hashing each record in its canonical form is Python work (attribute
reads, one JSON encoding per call); writing the Parquet segments is Arrow's. Keeping the two
apart lets the sink build the next batch in another process while this one is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import msgspec
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stream.store.canonical import encode_in_order
from stream.store.rows import FINDING_COLUMNS, SEGMENT_COLUMNS, Audited, call_columns, finding_sets

_TS = pa.timestamp("us", tz="UTC")
_TEXTS = pa.list_(pa.string())
_ARROW_OF = {"UUID": pa.string(), "TIMESTAMPTZ": _TS, "VARCHAR": pa.string(), "VARCHAR[]": _TEXTS,
             "INTEGER": pa.int32(), "INTEGER[]": pa.list_(pa.int32()), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(),
             "BIGINT": pa.int64(),
             "HINTS": pa.list_(pa.struct([("key", pa.string()), ("source", pa.string()), ("value", pa.string())]))}
FINDING_TYPE = pa.struct([("rule_id", pa.string()), ("severity", pa.string()), ("articles", _TEXTS),
                          ("title", pa.string()), ("explanation", pa.string()), ("remediation", pa.string())])
CALLS_SCHEMA = pa.schema([(name, _ARROW_OF[kind]) for name, kind in SEGMENT_COLUMNS]
                         + [("findings", pa.list_(FINDING_TYPE))])
"""A calls segment: the ``calls`` columns, what replay needs, and the call's findings (ordered by rule), nested.

Segments written before the replay columns existed lack them; readers see them as NULL there."""

NO_ORIGIN = -1  # a batch written directly (tests, migration), not read from a Kafka partition


@dataclass(frozen=True)
class Segment:
    """A calls segment ready to write: its tenant and UTC day, its rows (indices into the batch), its Parquet bytes."""

    tenant: str
    day: date
    rows: list[int]
    data: bytes


@dataclass(frozen=True)
class StoreBatch:
    """The calls of one batch (each event once), their record hashes and Kafka origins.

    ``ranges`` holds, per partition, the last offset the poll read (dead letters included), so a
    chain can record how far its partition is stored; ``received`` counts duplicates too.
    """

    calls: pa.Table
    hashes: list[str]
    partitions: list[int]
    offsets: list[int]
    received: int
    ranges: dict[int, tuple[int, int]] = field(default_factory=dict)
    segments: dict[int, list[Segment]] = field(default_factory=dict)
    """Per partition, its segments encoded beforehand (by :meth:`encoded`), for when every row is new."""

    @classmethod
    def of(cls, items: list[Audited], origins: list[tuple[int, int]] | None = None,
           ranges: dict[int, tuple[int, int]] | None = None) -> "StoreBatch":
        """The batch for ``items`` (with their (partition, offset) when read from Kafka); first delivery wins."""
        origins = origins or [(NO_ORIGIN, i) for i in range(len(items))]
        first: dict[str, int] = {}
        for index, event_id in enumerate(_id_texts([item.event.event_id for item in items])):
            first.setdefault(event_id, index)
        keep = list(first.values())
        unique = [items[i] for i in keep]
        columns = call_columns(unique, list(first))
        fsets, findings = finding_sets(unique)
        documents = _finding_documents(findings)
        table = _table(columns, fsets, documents)
        stamps = pc.strftime(table.column("observed_at"), format="%Y-%m-%dT%H:%M:%SZ").to_pylist()  # µs: .ffffff
        encoded = [msgspec.Raw(encode_in_order(d)) for d in documents]  # each findings set encoded once
        hashes = record_hashes(columns, stamps, [encoded[f] for f in fsets])
        return cls(table, hashes, [origins[i][0] for i in keep], [origins[i][1] for i in keep], len(items),
                   dict(ranges or {}))

    def by_partition(self) -> dict[int, list[int]]:
        """The rows of each partition, in batch order."""
        out: dict[int, list[int]] = {}
        for index, partition in enumerate(self.partitions):
            out.setdefault(partition, []).append(index)
        return out

    def encoded(self) -> "StoreBatch":
        """This batch with every partition's segments encoded as Parquet.

        Encoding costs the writer about 4 ms a file whatever its size (about 50 Parquet columns):
        done in the preparing process, the sink only writes bytes. A partition of which some rows
        are stored already (a redelivery) is encoded again by the writer, without those rows.
        """
        return replace(self, segments={p: encode_segments(self.calls, rows) for p, rows in self.by_partition().items()})

    def ready_segments(self, partition: int, fresh: list[int]) -> list[Segment] | None:
        """The partition's segments encoded beforehand when ``fresh`` is all its rows, else None."""
        segments = self.segments.get(partition)
        if segments is None or sum(len(s.rows) for s in segments) != len(fresh):
            return None
        return segments


def encode_segments(calls: pa.Table, rows: list[int]) -> list[Segment]:
    """The ``rows`` of ``calls`` as one Parquet segment per (tenant, UTC day), sorted."""
    table = calls.take(pa.array(rows, type=pa.int64()))
    return [Segment(tenant, day, [rows[i] for i in members], segment_bytes(table.take(pa.array(members, pa.int64()))))
            for tenant, day, members in tenant_days(table)]


def segment_bytes(table: pa.Table) -> bytes:
    """A segment's Parquet file."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue().to_pybytes()


_HASHED = sorted([name for name, _ in SEGMENT_COLUMNS] + ["findings"])  # RFC 8785 key order, fixed once
_Record = msgspec.defstruct("_Record", [(name, Any) for name in _HASHED], gc=False)
"""A call's canonical record: msgspec writes a struct's fields in their order, here the sorted keys."""
_ENCODE = msgspec.json.Encoder().encode


_TEXTS_OF = msgspec.json.Decoder(list[str]).decode


def _id_texts(ids: list) -> list[str]:
    """The UUIDs as ``str()`` writes them, converted in C (``str()`` of each costs about 1 µs)."""
    return _TEXTS_OF(_ENCODE(ids))


def record_hashes(columns: dict[str, list], stamps: list[str], documents_per_call: list) -> list[str]:
    """SHA-256 of each call's canonical record: its columns and its findings (see ``canonical.py``).

    Each record is a struct whose fields are the sorted keys (built positionally, cheaper than a
    dict) encoded without re-sorting; timestamps come formatted by Arrow; whole-number floats
    become integers; a call's findings come as their documents or, faster, as the ``msgspec.Raw``
    JSON of their set (encoded once per batch, not once per call): the RFC 8785 form, verified
    equal to ``canonical()`` of the stored row by the tests.
    """
    hashed = dict(columns, observed_at=stamps, findings=documents_per_call,
                  latency_ms=[int(x) if x is not None and x.is_integer() and abs(x) < 2.0 ** 53 else x
                              for x in columns["latency_ms"]])
    encode, sha, record = _ENCODE, hashlib.sha256, _Record
    return [sha(encode(record(*values))).hexdigest() for values in zip(*(hashed[n] for n in _HASHED))]


def _finding_documents(findings: dict[str, list]) -> list[list[dict]]:
    """Per findings set, its findings as documents ordered by rule."""
    sets: dict[int, list[dict]] = {}
    for row in zip(*(findings[n] for n in ("fset", *FINDING_COLUMNS))):
        sets.setdefault(row[0], []).append(dict(zip(FINDING_COLUMNS, row[1:])))
    count = max(sets, default=-1) + 1
    return [sorted((dict(sorted(f.items())) for f in sets.get(n, [])), key=lambda f: f["rule_id"])
            for n in range(count)]


def _table(columns: dict[str, list], fsets: list[int], documents: list[list[dict]]) -> pa.Table:
    """The typed Arrow table; each distinct findings set is converted once and taken per call (in C++)."""
    arrays = [pa.array(columns[name], type=_ARROW_OF[kind]) for name, kind in SEGMENT_COLUMNS]
    distinct = pa.array(documents, type=pa.list_(FINDING_TYPE))
    arrays.append(distinct.take(pa.array(fsets, type=pa.int32())) if fsets else pa.array([], pa.list_(FINDING_TYPE)))
    return pa.table(arrays, schema=CALLS_SCHEMA)


def tenant_days(table: pa.Table) -> list[tuple[str, date, list[int]]]:
    """The rows of each (tenant, UTC day) of ``table``, grouped by Arrow (no datetime per row), sorted."""
    keys = pa.table({"tenant": table.column("tenant"), "day": pc.cast(table.column("observed_at"), pa.date32()),
                     "row": pa.array(range(table.num_rows), pa.int64())})
    groups = keys.group_by(["tenant", "day"], use_threads=False).aggregate([("row", "list")])
    return sorted(zip(groups.column("tenant").to_pylist(), groups.column("day").to_pylist(),
                      groups.column("row_list").to_pylist()))
