"""``douane ledger`` and ``douane store``: verify, migrate, prune and erase the evidence store."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import typer

from douane.cli.common import bootstrap, fail, said, settings
from douane.ledger_metrics import VerifyOutcome, publish

ledger_app = typer.Typer(help="The signed, tamper-evident ledger of the store.", no_args_is_help=True)
store_app = typer.Typer(help="The evidence store: Parquet segments under a signed ledger.", no_args_is_help=True)

STORE = typer.Option(None, "--store", help="the store folder (default: $DOUANE_HOME/store)")
DRY_RUN = typer.Option(False, "--dry-run", help="say what would be removed, remove nothing")
BY = typer.Option(..., "--by", help="who orders the deletion (kept in the signed tombstone)")
BASIS = typer.Option(..., "--basis", help="why: the policy's retention rule or the request's reference")
JSON = typer.Option(False, "--json", help="JSON instead of text (what was, or would be, changed)")


@ledger_app.command()
def verify(
    store: Path = STORE,
    public_key: list[Path] = typer.Option(None, "--public-key", exists=True, dir_okay=False,
                                          help="the ledger's public key (default: $DOUANE_LEDGER_KEY or its .pub); "
                                               "repeat it after a key rotation: an entry signed by any of them verifies"),
    heads: Path = typer.Option(None, "--heads", help="the published head file (default: $DOUANE_LEDGER_HEADS)"),
    kafka: bool = typer.Option(False, "--kafka", help="also check the heads published on douane.ledger"),
    as_json: bool = typer.Option(False, "--json", help="the result as one JSON object on stdout"),
    metrics_file: Path = typer.Option(None, "--metrics-file", dir_okay=False,
                                      help="also write the outcome as Prometheus metrics (textfile format) here"),
    push_gateway: str = typer.Option(None, "--push-gateway", help="also push the outcome to this Prometheus "
                                                                   "Pushgateway (host:port or URL)"),
) -> None:
    """Check segments, chains, signatures and published heads; name each thing that is wrong."""
    cfg = settings()
    path = store or cfg.store_location
    started = time.monotonic()
    try:
        report = _verified(cfg, path, public_key, heads, kafka)
    except _Unreadable as exc:
        _publish(VerifyOutcome.failed(str(path), time.monotonic() - started), metrics_file, push_gateway)
        fail(str(exc))
    _publish(VerifyOutcome.of(str(path), report, time.monotonic() - started), metrics_file, push_gateway)
    if as_json:
        _verify_json(path, report)
    for problem in report.problems:
        typer.secho(str(problem), fg=typer.colors.RED)
    for lawful in report.lawful:
        typer.echo(f"lawful deletion: {lawful}")
    state = "intact" if report.intact else f"{len(report.problems)} problem(s)"
    typer.echo(f"{path}: {report.chains} chains, {report.batches} entries, {report.records} calls, "
               f"{report.declared} declared records, {report.heads_checked} published heads checked, {state}")
    if not report.intact:
        raise typer.Exit(1)


@ledger_app.command()
def keygen(
    out: Path = typer.Option(..., "--out", dir_okay=False,
                             help="where to write the private key (PEM, mode 0600); the public key goes beside as .pub"),
) -> None:
    """Make the Ed25519 key pair that signs the ledger, for a Secret or a file outside the store."""
    from stream.store.signing import load_or_create, public_path

    if out.exists():
        fail(f"{out} exists: a ledger key is never overwritten (entries signed with it would no longer verify)")
    load_or_create(out)
    typer.echo(f"private key: {out} (give it to the sinks only: DOUANE_LEDGER_KEY)")
    typer.echo(f"public key:  {public_path(out)} (give it to whoever verifies: douane ledger verify --public-key)")


class _Unreadable(Exception):
    """The store, a head source or the key could not be read: nothing was verified."""


def _verified(cfg, path, public_keys: list[Path] | None, heads: Path | None, kafka: bool):
    """The verification report of the store at ``path``, with every configured head source."""
    from stream.store import StoreError, verify as verify_store
    from stream.store.heads import bucket_head_lines, head_file_lines, kafka_head_lines
    from stream.store.signing import LedgerKeyError, load_public_keys, public_path

    pub = public_path(cfg.ledger_key_path)
    key_files = public_keys or [pub if pub.exists() else cfg.ledger_key_path]
    try:
        lines = head_file_lines(heads or cfg.ledger_heads_path)
        if cfg.ledger_heads_url:
            lines += bucket_head_lines(cfg.ledger_heads_url)
        if kafka:
            lines += kafka_head_lines(bootstrap(cfg))
        return verify_store(path, load_public_keys(key_files), lines)
    except (StoreError, LedgerKeyError) as exc:
        raise _Unreadable(str(exc)) from None


def _publish(outcome: VerifyOutcome, metrics_file: Path | None, push_gateway: str | None) -> None:
    """Hand the outcome to Prometheus; a destination that is down is said on stderr, never fatal."""
    for failure in publish(outcome, str(metrics_file) if metrics_file else None, push_gateway):
        typer.secho(failure, fg=typer.colors.YELLOW, err=True)


def _verify_json(path: Path, report) -> None:
    """One JSON object for scripts; exit 1 when the ledger is not intact."""
    typer.echo(json.dumps({"store": str(path), "intact": report.intact, "chains": report.chains,
                           "entries": report.batches, "calls": report.records, "declared": report.declared,
                           "heads_checked": report.heads_checked, "problems": [str(p) for p in report.problems],
                           "lawful_deletions": [str(d) for d in report.lawful]}))
    raise typer.Exit(0 if report.intact else 1)


@store_app.command()
def migrate(
    source: Path = typer.Option(..., "--from", exists=True, dir_okay=False, help="the single-file DuckDB store"),
    store: Path = STORE,
    force: bool = typer.Option(False, "--force", help="migrate even if the old ledger does not verify"),
    json_out: bool = JSON,
) -> None:
    """Move a single-file DuckDB store of an earlier Douane into the folder layout, and verify it."""
    from stream.store import StoreError, verify as verify_store
    from stream.store.migrate import migrate as run

    writer = _writer(store)
    try:
        result = run(source, writer, force=force)
    except StoreError as exc:
        fail(str(exc))
    declared = ", ".join(f"{n} {t}" for t, n in result.declared.items())
    report = verify_store(writer.root, writer.key.public_key(), _lines(writer))
    said(json_out, {"from": str(source), "store": str(writer.root), "calls": result.calls,
                     "declared": dict(result.declared), "intact": report.intact, "records": report.records},
          f"{source} -> {writer.root}: {result.calls} calls, {declared}",
          f"new store: {report.records} calls, {report.declared} declared records, "
          f"{'intact' if report.intact else 'NOT intact'}")
    if not report.intact:
        raise typer.Exit(1)


@store_app.command()
def prune(
    tenant: str = typer.Option(None, "--tenant", help="the tenant (with --from-policy: only this one)"),
    older_than: int = typer.Option(None, "--older-than", min=1, help="days of calls to keep"),
    from_policy: bool = typer.Option(False, "--from-policy",
                                     help="each tenant's evidence_retention (per category) from its recorded policy"),
    basis: str = typer.Option(None, "--basis", help="why: the retention rule (with --from-policy: the policy's)"),
    by: str = BY,
    store: Path = STORE,
    dry_run: bool = DRY_RUN,
    json_out: bool = JSON,
) -> None:
    """Remove calls past their retention under signed tombstones: a tenant's whole days, or per the policy."""
    from stream.store.retention import prune as run

    if from_policy:
        return _prune_from_policy(_writer(store), tenant, by, dry_run, json_out)
    if not (tenant and older_than and basis):
        fail("prune needs --tenant, --older-than and --basis (or --from-policy)")
    before = datetime.now(timezone.utc).date() - timedelta(days=older_than)
    done = run(_writer(store), tenant, before, basis=basis, by=by, dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    said(json_out, {"dry_run": dry_run, "tenant": tenant, "before": before, "calls": done.records,
                     "segments": len(done.files)},
          f"{verb} {done.records} calls of {tenant} before {before:%Y-%m-%d} ({len(done.files)} segments)")


def _prune_from_policy(writer, tenant: str | None, by: str, dry_run: bool, json_out: bool = False) -> None:
    from stream.store.expiry import expire

    done = expire(writer, datetime.now(timezone.utc).date(), by=by, tenants=[tenant] if tenant else None,
                  dry_run=dry_run)
    verb = "would remove" if dry_run else "removed"
    lines = [f"{e.tenant} (policy {e.policy_version}): {verb} {e.records} calls — {len(e.whole.files)} whole "
             f"segments, {e.partial.records} calls from {len(e.partial.files)} rewritten segments" for e in done]
    facts = {"dry_run": dry_run, "tenants": [
        {"tenant": e.tenant, "policy_version": e.policy_version, "calls": e.records,
         "whole_segments": len(e.whole.files), "rewritten_segments": len(e.partial.files)} for e in done]}
    said(json_out, facts, *(lines or ["no recorded policy sets evidence_retention"
                                       + (f" for {tenant}" if tenant else "")]))


@store_app.command()
def erase(
    event_id: list[str] = typer.Option(None, "--event-id", help="a call to erase (repeatable)"),
    subject_ref: list[str] = typer.Option(None, "--subject-ref",
                                          help="every call of this data subject: the keyed hash the tap sent "
                                               "(hmac-sha256:<key id>:<hex>; repeatable)"),
    basis: str = BASIS,
    by: str = BY,
    store: Path = STORE,
    dry_run: bool = DRY_RUN,
    json_out: bool = JSON,
) -> None:
    """Erase calls (GDPR Art. 17), given or of a data subject: their segments are rewritten without them."""
    from stream.store.retention import erase as run, erase_subjects

    if not event_id and not subject_ref:
        fail("erase needs --event-id or --subject-ref (each repeatable)")
    verb = "would erase" if dry_run else "erased"
    facts: dict = {"dry_run": dry_run}
    lines = []
    if subject_ref:
        done = erase_subjects(_writer(store), subject_ref, basis=basis, by=by, dry_run=dry_run)
        facts["by_subject"] = {"subjects": len(set(subject_ref)), "calls": done.records, "segments": len(done.files)}
        lines.append(f"{verb} {done.records} call(s) of {len(set(subject_ref))} subject(s) from {len(done.files)} "
                     "segment(s)")
    if event_id:
        done = run(_writer(store), event_id, basis=basis, by=by, dry_run=dry_run)
        missing = sorted(set(event_id) - set(done.erased))
        facts["by_event_id"] = {"calls": done.records, "segments": len(done.files), "not_in_store": missing}
        lines.append(f"{verb} {done.records} call(s) from {len(done.files)} segment(s)"
                     + (f"; not in the store: {', '.join(missing)}" if missing else ""))
    said(json_out, facts, *lines)


@store_app.command()
def compact(
    store: Path = STORE,
    min_files: int = typer.Option(8, "--min-files", min=2, help="merge a tenant's day once it has this many segments"),
    grace_minutes: int = typer.Option(10, "--grace-minutes", min=0,
                                      help="keep replaced segments this long for readers that opened before"),
    json_out: bool = JSON,
) -> None:
    """Merge small segments of each tenant and day into one, records unchanged, under a signed entry."""
    from stream.store.compaction import compact as run

    done = run(_writer(store), min_files=min_files, grace=timedelta(minutes=grace_minutes))
    said(json_out, {"merged_segments": done.replaced, "into": done.folders, "removed_earlier": done.removed},
          f"merged {done.replaced} segments into {done.folders}; removed {done.removed} replaced earlier")


def _writer(store: Path | None):
    from stream.store import StoreError, StoreWriter
    from stream.store.signing import LedgerKeyError

    try:
        return StoreWriter(store or settings().store_location)
    except (StoreError, LedgerKeyError) as exc:
        fail(str(exc))


def _lines(writer) -> list[bytes]:
    from stream.store.heads import head_file_lines

    return head_file_lines(writer.heads_path)
