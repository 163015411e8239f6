"""Helpers every report builder shares: the period's bounds, parties, provider names."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from functools import cache

import polars as pl

from reports.errors import ReportError
from reports.models import Count, Party
from rules.jurisdictions import Jurisdictions, load_jurisdictions
from rules.policy import Activity, Contact, Controller
from rules.registry import Provider, load_registry
from rules.types import ANYWHERE
from rules.wording import UNKNOWN_PLACES, in_words, shipped_wording


def bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end 23:59:59.999999] in UTC; a period that ends before it starts is refused."""
    if end < start:
        raise ReportError(f"the period ends ({end}) before it starts ({start})")
    return datetime.combine(start, time.min, timezone.utc), datetime.combine(end, time.max, timezone.utc)


@cache
def jurisdictions() -> Jurisdictions:
    """The jurisdiction data shipped with this Douane, read once per process (every report needs it)."""
    return load_jurisdictions()


@cache
def registry_providers() -> dict[str, Provider]:
    """The shipped provider registry by provider id, read once per process."""
    return load_registry().by_id


def provider_name(provider: str, names: dict) -> str:
    """The registry's name of ``provider`` (the id when the registry did not know it)."""
    return names.get(provider, (provider,))[0]


STORE_UNKNOWN = "unknown"
"""The store's destination for a call whose place was not resolved at all (a host no registry entry knows)."""


def place_names(codes: Iterable[str]) -> list[str]:
    """Places by rules.wording's names, in code order; ``*`` and the store's ``unknown`` are unknown locations, last."""
    codes = {ANYWHERE if c == STORE_UNKNOWN else c for c in codes}
    words = shipped_wording()
    return [words.place(c) for c in sorted(codes - {ANYWHERE})] + ([UNKNOWN_PLACES] if ANYWHERE in codes else [])


def place_label(places: str) -> str:
    """A destination label from the store (``DE + FR``, ``*``, ``unknown``) in words."""
    return in_words(place_names(places.split(" + ")))


def party(contact: Contact) -> Party:
    """A policy contact as a report party."""
    return Party(name=contact.name, contact=contact.contact, address=contact.address)


def controller_header(tenant: str, c: Controller) -> dict:
    """The fields of :class:`~reports.models.ControllerHeader` for a policy's controller."""
    return dict(tenant=tenant, controller=party(c), controller_country=c.country, role=c.role,
                dpo=party(c.dpo) if c.dpo else None,
                representative=party(c.representative) if c.representative else None,
                joint_controllers=[party(p) for p in c.joint_controllers],
                controllers_served=[party(p) for p in c.controllers_served])


def declared(activity: Activity) -> dict:
    """The fields of :class:`~reports.models.DeclaredActivity` for a policy activity."""
    a = activity
    return dict(id=a.id, name=a.name, purpose=a.purpose, legal_basis=a.legal_basis.value,
                special_category_basis=a.special_category_basis.value if a.special_category_basis else None,
                data_subjects=list(a.data_subjects))


def categories_of(activity: Activity, observed: pl.DataFrame) -> dict:
    """Declared, observed (from ``queries.observed_categories``) and undeclared categories of an activity."""
    seen = [Count(name=r["category"], calls=r["calls"])
            for r in observed.filter(pl.col("activity_id") == activity.id).iter_rows(named=True)]
    return dict(categories_declared=list(activity.categories), categories_observed=seen,
                categories_undeclared=sorted({c.name for c in seen} - set(activity.categories)))


RISK_LEVELS = ((3, "low"), (6, "medium"), (9, "high"), (16, "very high"))
"""Likelihood × impact (each 1-4) to a level; 0 means no risk was found."""


def risk_level(score: int) -> str:
    """The level of a likelihood × impact score."""
    if score <= 0:
        return "none"
    return next(name for top, name in RISK_LEVELS if score <= top)
