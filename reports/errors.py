"""Errors of the reports package: what is missing, and what to do."""


class ReportError(RuntimeError):
    """A report that cannot be built from the store as it is; the message says why and what to run."""
