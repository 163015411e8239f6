"""The evidence store: Parquet segments that many sinks write and any DuckDB reader reads, under a signed ledger."""

from stream.store.batch import StoreBatch
from stream.store.layout import StoreError
from stream.store.ledger import Problem, Report, verify
from stream.store.reader import open_store, snapshot
from stream.store.rows import Audited
from stream.store.writer import BatchResult, StoreWriter

__all__ = ["Audited", "BatchResult", "Problem", "Report", "StoreBatch", "StoreError", "StoreWriter", "open_store",
           "snapshot", "verify"]
