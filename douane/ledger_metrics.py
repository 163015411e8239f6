"""The outcome of ``douane ledger verify`` as Prometheus metrics, for the "ledger verify failing" alert.

Verification is a batch job (a CronJob in the chart, a timer or cron on one host), not a server,
so its outcome is written where Prometheus can reach it after the job has gone: a file in the
textfile format (node_exporter's textfile collector reads a folder of them) and/or a push to a
Prometheus Pushgateway. Each run replaces the previous one's figures; the alert rules compare
the last run's time with now, so a verifier that stops running is caught too.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, push_to_gateway, write_to_textfile

from douane.metrics import gauge, registry_of

JOB = "douane-ledger-verify"
"""The Pushgateway job name (one group per store)."""


@dataclass(frozen=True)
class VerifyOutcome:
    """What one verification run found, in figures (never the problems' text: that goes to the log)."""

    store: str
    ran: bool  # False when the store or key could not be read at all
    intact: bool
    problems: int
    calls: int
    seconds: float
    finished_at: float

    @classmethod
    def of(cls, store: str, report, seconds: float) -> VerifyOutcome:
        """The outcome of a finished verification (``stream.store.ledger.Report``)."""
        return cls(store, True, report.intact, len(report.problems), report.records, seconds, time.time())

    @classmethod
    def failed(cls, store: str, seconds: float) -> VerifyOutcome:
        """A run that could not read the store or the key: counted as not intact, one problem."""
        return cls(store, False, False, 1, 0, seconds, time.time())


def registry(outcome: VerifyOutcome) -> CollectorRegistry:
    """A registry holding the outcome's families, labelled by store (names written out: the deploy tests
    check that every metric the alert rules name is registered somewhere in the code)."""
    def by_store(value: float) -> dict[tuple[str, ...], float]:
        return {(outcome.store,): value}

    def read():
        yield gauge("douane_ledger_verify_intact", "1 when the last verification found nothing wrong",
                    by_store(int(outcome.intact)), ("store",))
        yield gauge("douane_ledger_verify_ran", "1 when the last run could read the store and the key",
                    by_store(int(outcome.ran)), ("store",))
        yield gauge("douane_ledger_verify_problems", "problems the last verification named",
                    by_store(outcome.problems), ("store",))
        yield gauge("douane_ledger_verify_calls", "calls the last verification checked", by_store(outcome.calls),
                    ("store",))
        yield gauge("douane_ledger_verify_duration_seconds", "wall time of the last verification",
                    by_store(outcome.seconds), ("store",))
        yield gauge("douane_ledger_verify_last_run_timestamp_seconds", "when the last verification finished",
                    by_store(outcome.finished_at), ("store",))

    return registry_of(read)


def publish(outcome: VerifyOutcome, textfile: str | None = None, gateway: str | None = None) -> list[str]:
    """Write the outcome to a textfile and/or push it to a Pushgateway; returns what could not be done
    (the verification's own result must not be lost because the metrics' destination is down)."""
    failures = []
    reg = registry(outcome)
    if textfile:
        try:
            write_to_textfile(textfile, reg)  # written beside, then renamed: a scrape never sees half a file
        except OSError as exc:
            failures.append(f"cannot write the metrics file {textfile}: {exc.strerror or exc}")
    if gateway:
        try:
            push_to_gateway(gateway, job=JOB, registry=reg, grouping_key={"store": outcome.store}, timeout=10)
        except OSError as exc:
            failures.append(f"cannot push the metrics to the Pushgateway {gateway}: {exc}")
    return failures
