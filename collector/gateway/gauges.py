"""The gateway's state on ``/metrics``: its outbox and its breakers, read when Prometheus scrapes."""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import datetime

from prometheus_client.core import Metric

from collector.landed import text_field
from douane.breaker import BreakerState
from douane.metrics import counter, gauge

BREAKER_VALUE = {BreakerState.CLOSED: 0, BreakerState.HALF_OPEN: 1, BreakerState.OPEN: 2}


def outbox_families(outbox) -> Iterable[Metric]:
    """Queued (not yet on disk), spooled (on disk, not yet acknowledged), drained, in doubt, oldest age."""
    yield gauge("douane_outbox_queued", "events handed to the outbox and not yet fsynced to the spool",
                outbox.wal.queued)
    yield gauge("douane_outbox_spooled", "events in the spool the broker has not acknowledged", outbox.spooled)
    yield counter("douane_outbox_drained", "events acknowledged by the broker (or found there already)",
                  outbox.published)
    yield gauge("douane_outbox_in_doubt", "sends that got no acknowledgement and are looked for on the broker",
                len(outbox.doubt.suspects))
    yield gauge("douane_outbox_oldest_spooled_age_seconds", "age of the oldest event waiting in the spool",
                _oldest_age(outbox))
    yield gauge("douane_outbox_connected", "1 while the broker answers", int(outbox.connected))


def breaker_families(upstreams) -> Iterable[Metric]:
    """One breaker per (tenant, provider host) the gateway has called: 0 closed, 1 half-open, 2 open."""
    states = {(tenant, host): BREAKER_VALUE[b.state] for (tenant, host), b in upstreams.breakers().items()}
    yield gauge("douane_breaker_state", "provider breaker per tenant: 0 closed, 1 half-open, 2 open", states,
                ("tenant", "provider"))


def _oldest_age(outbox) -> float:
    first = outbox.spool.pending(limit=1)
    if not first:
        return 0.0
    try:
        observed = datetime.fromisoformat(text_field(first[0][0], "observed_at").decode())
    except ValueError:
        return 0.0
    return max(0.0, time.time() - observed.timestamp())
