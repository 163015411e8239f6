"""The basis and decision of one destination of a call, from the call's own ruling.

The store keeps one basis and one decision per call: the Chapter V procedure's conclusion for all of
the call's destinations together. A transfer table has one row per destination, so each row needs
the part of that conclusion that concerns its destination: a place inside the EEA needs no transfer
tool, a place under a full adequacy decision in force rests on Art. 45, and only the remaining
third countries carry the call's safeguard, derogation or missing basis.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from rules.jurisdictions import Jurisdictions, ScopeKind

ALLOWED = "allowed"
KEYS = ["activity_id", "provider", "destination"]


def destination_ruling(destination: str, basis: str, decision: str, day: date,
                       jurisdictions: Jurisdictions) -> tuple[str, str]:
    """(basis, decision) for ``destination``, given the call's ``basis`` and ``decision`` on ``day``."""
    if basis == "not_a_transfer":
        return basis, decision
    if destination in jurisdictions.eea_codes:
        return "eea", ALLOWED
    adequacy = jurisdictions.adequacy_by_destination.get(destination)
    if adequacy is not None and adequacy.in_force(day):
        if adequacy.scope.kind is ScopeKind.FULL:
            return "adequacy", ALLOWED
        if basis in ("adequacy", "dpf") and decision == ALLOWED:  # the procedure found the recipient covered
            return ("dpf" if adequacy.scope.kind is ScopeKind.CERTIFIED_RECIPIENT else "adequacy"), ALLOWED
    return basis, decision


def per_destination(flows: pl.DataFrame, jurisdictions: Jurisdictions) -> pl.DataFrame:
    """Re-key grouped call × destination rows by each destination's own basis and decision, then regroup.

    ``flows`` has one row per activity, provider, destination, call basis, call decision and day; the
    result one row per activity, provider, destination, destination basis and decision."""
    if flows.is_empty():
        return flows.drop("day")
    rulings = [destination_ruling(r["destination"], r["basis"], r["decision"], r["day"], jurisdictions)
               for r in flows.select("destination", "basis", "decision", "day").iter_rows(named=True)]
    return flows.with_columns(basis=pl.Series([b for b, _ in rulings], dtype=pl.String),
                              decision=pl.Series([d for _, d in rulings], dtype=pl.String)).group_by(
        [*KEYS, "basis", "decision"]).agg(
        pl.col("calls").sum(), pl.col("first_seen").min(), pl.col("last_seen").max(),
        pl.col("special_calls").sum()).sort([*KEYS, "basis", "decision"])
