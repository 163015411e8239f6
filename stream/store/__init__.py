"""The DuckDB store: Article 30 records and evidence, written by one sink, verified by the ledger."""

from stream.store.batch import StoreBatch
from stream.store.ledger import Report, verify
from stream.store.rows import Audited
from stream.store.schema import LATEST, StoreError, open_store
from stream.store.writer import BatchResult, StoreWriter

__all__ = ["LATEST", "Audited", "BatchResult", "Report", "StoreBatch", "StoreError", "StoreWriter", "open_store", "verify"]
