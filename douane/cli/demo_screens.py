"""What ``douane demo`` shows: the live view while traffic runs, the replay step, and the last screen."""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import typer

DECISIONS = (("allowed", "allowed"), ("allowed_with_safeguard", "safeguard"), ("needs_review", "review"),
             ("unauthorised", "unauthorised"))


@dataclass
class LiveView:
    """Counts the audited calls as they come and prints one line a second: rate, verdicts, actions, incidents."""

    total: int
    every: float = 1.0
    started: float = field(default_factory=time.monotonic)
    decisions: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    _seen: int = 0
    _last: float = 0.0
    _last_count: int = 0

    def update(self, seen: list, incidents: int, final: bool = False) -> None:
        """Fold the newly audited calls in; print a line when a second has passed (or at the end)."""
        for item in seen[self._seen:]:
            self.decisions[item.verdict.decision.value] += 1
            self.actions[item.event.outcome.action.value] += 1
        self._seen = len(seen)
        now = time.monotonic()
        if not final and now - self._last < self.every:
            return
        rate = (self._seen - self._last_count) / (now - self._last) if self._last else 0.0
        self._last, self._last_count = now, self._seen
        verdicts = " · ".join(f"{short} {self.decisions[d]}" for d, short in DECISIONS)
        typer.echo(f"    live {now - self.started:5.1f} s  audited {self._seen:>6}/{self.total}  {rate:7,.0f} calls/s  "
                   f"{verdicts}  |  redirected {self.actions['redirected']} · failed over "
                   f"{self.actions['failed_over']} · blocked {self.actions['blocked']}  |  incidents {incidents}")


def show_replay(report, files: list[Path], step: str) -> None:
    """The replay step: what was replayed, the diff, the non-forwarded calls."""
    from stream.replay.render import action_lines, diff_lines, summary

    typer.echo(f"\n{step} replay of the OpenAI lockout window under a stricter policy (douane replay):")
    for line in [*summary(report), *diff_lines(report), *action_lines(report), *_incident_lines(report)]:
        typer.echo(f"    {line}")
    typer.echo("    written: " + ", ".join(str(f) for f in files))


def _incident_lines(report) -> list[str]:
    """The NIS2 incidents in full; the GDPR ones as a count (every line is in replay.txt)."""
    nis2 = [i for i in report.incidents if i.kind == "nis2"]
    lines = [f"incidents overlapping the window: {len(report.incidents)}, of which {len(nis2)} NIS2:"]
    for i in nis2:
        alert = f", alert in {i.channel}" if i.channel else ""
        lines.append(f"  {i.severity:<8} {i.tenant:<14} {i.rule_id:<26} {i.provider:<10} opened {i.opened_at[:19]}{alert}")
    return lines


@dataclass(frozen=True)
class Broker:
    """Whose broker the demo used, and what became of it."""

    address: str
    started_here: bool
    external: bool


def last_screen(run: Path, store: Path, reports: Path, replay_files: list[Path], broker: Broker,
                stopped: bool, env: str) -> None:
    """Where everything is, and whether the broker still runs."""
    typer.echo("\nDone. Everything this run wrote is in " + str(run) + ":")
    typer.echo(f"    store (DuckDB)  {store}    check it: douane ledger verify --store {store}")
    typer.echo(f"    reports         {reports}/")
    if (reports / "slack-calls.jsonl").exists():
        typer.echo(f"    Slack           {reports / 'slack-calls.jsonl'} (every call to the Slack stand-in)")
    typer.echo("    replay          " + ", ".join(str(f) for f in replay_files))
    if broker.external:
        typer.echo(f"    Kafka           {broker.address} (DOUANE_KAFKA_BOOTSTRAP): not the demo's to stop")
    elif stopped:
        typer.echo(f"    Kafka           the broker this demo started on {broker.address} was stopped")
    else:
        typer.echo(f"    Kafka           still running on {broker.address}; stop it with: {env}douane kafka down")


class _TransientCoordinator(logging.Filter):
    """Drops aiokafka's errors while a fresh broker is still electing its group coordinator (it retries)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return "GroupCoordinatorNotAvailable" not in message and "Marking the coordinator dead" not in message


def quiet_known_noise() -> None:
    """Keep the demo's terminal to its story: what the stream logs as warnings (incidents opened, dead letters)
    the demo prints itself, and a fresh broker's coordinator election is retried, not failed."""
    logging.getLogger("stream").setLevel(logging.ERROR)
    # Load diagnostics on a busy machine (a slow poll, a full producer buffer) are not the story either.
    for name in ("mode.timers", "kafka.net.selector", "faust.transport.producer"):
        logging.getLogger(name).setLevel(logging.ERROR)
    logging.getLogger("aiokafka.consumer.group_coordinator").addFilter(_TransientCoordinator())
