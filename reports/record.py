"""The record of processing activities as a standing record: what the policy in force on a day declares.

Art. 30 asks for a record kept up to date, not a report on a period. ``build_record`` reads the
policy recorded at or before the day, and lays it out one row per activity and recipient, with the
recipient's role, its Art. 28 contract and the transfer tool for each third country it reaches
(see :mod:`reports.tools`). Labels are the taxonomy's and the registry's names, never raw keys.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import duckdb

from reports import queries
from reports.common import controller_header, jurisdictions, registry_providers
from reports.models import RecordRow, StandingRecord
from reports.tools import tool_for
from rules.jurisdictions import Jurisdictions
from rules.policy import Activity, Policy, Vendor
from rules.registry import Provider
from rules.taxonomy import display_name


def build_record(con: duckdb.DuckDBPyConnection, tenant: str, as_of: date) -> StandingRecord:
    """The record of ``tenant`` as it stood at the end of ``as_of`` (UTC)."""
    return standing_record(tenant, *policy_on(con, tenant, as_of), as_of)


def policy_on(con: duckdb.DuckDBPyConnection, tenant: str, day: date) -> tuple[Policy, datetime]:
    """The policy of ``tenant`` in force at the end of ``day`` (UTC), and when it was recorded."""
    return queries.policy_as_of(con, tenant, datetime.combine(day, time.max, timezone.utc))


def standing_record(tenant: str, policy: Policy, loaded_at: datetime, as_of: date) -> StandingRecord:
    """``policy`` (recorded at ``loaded_at``) as the standing record on ``as_of``."""
    return StandingRecord(
        **controller_header(tenant, policy.controller), as_of=as_of, policy_version=policy.version,
        last_updated=loaded_at.date(), rows=record_rows(policy, as_of))


def record_rows(policy: Policy, as_of: date) -> list[RecordRow]:
    """The rows of ``policy``'s record, transfer tools judged on ``as_of``."""
    providers, places = registry_providers(), jurisdictions()
    return [row for a in policy.activities for row in _rows(a, policy, providers, places, as_of)]


def _rows(a: Activity, policy: Policy, providers: dict[str, Provider], jurisdictions: Jurisdictions,
          as_of: date) -> list[RecordRow]:
    common = dict(
        activity_id=a.id, activity=a.name, purpose=a.purpose, legal_basis=_words(a.legal_basis.value),
        special_category_condition=_art9(a), criminal_data_basis=a.criminal_data_basis,
        data_subjects=[display_name(s) for s in a.data_subjects], categories=[display_name(c) for c in a.categories],
        retention=a.retention, security_measures=a.security_measures)
    if not a.recipients:
        return [RecordRow(**common, recipient="none", recipient_role="", recipient_entity="", dpa="",
                          third_countries=[], transfer_tools=[], tools_hold=True)]
    rows = []
    for provider_id in a.recipients:
        vendor = policy.vendors_by_provider.get(provider_id)
        provider = providers.get(provider_id)
        entity, countries = _reach(provider, vendor, jurisdictions)
        tools = [tool_for(c, vendor, a, as_of, jurisdictions) for c in countries]
        rows.append(RecordRow(
            **common, recipient=provider.name if provider else provider_id,
            recipient_role=_words(vendor.role) if vendor else "not in the vendor register",
            recipient_entity=entity, dpa=_dpa(vendor), third_countries=countries,
            transfer_tools=[f"{t.country}: {t.text}" for t in tools], tools_hold=all(t.holds for t in tools)))
    return rows


def _reach(provider: Provider | None, vendor: Vendor | None, jurisdictions: Jurisdictions) -> tuple[str, list[str]]:
    """The contracting entity (name, country) and the third countries the recipient processes in: its seat
    and its declared sub-processing (the registry's facts, the vendor file's contracting entity first)."""
    if provider is None:
        entity = vendor.contracting_entity if vendor and vendor.contracting_entity else None
        places = {entity.country} if entity else set()
        return (f"{entity.name} ({entity.country})" if entity else "unknown"), _third(places, jurisdictions)
    eea_terms = next((c.entity for c in provider.contracting if c.customers == "eea"), None)
    entity = (vendor.contracting_entity if vendor and vendor.contracting_entity else None) or eea_terms \
        or provider.entity
    places = {entity.country} | {s.country for s in provider.sub_processing}
    return f"{entity.name} ({entity.country})", _third(places, jurisdictions)


def _third(places: set[str], jurisdictions: Jurisdictions) -> list[str]:
    return sorted(p for p in places if p not in jurisdictions.eea_codes and p not in ("EU", "*"))


def _dpa(vendor: Vendor | None) -> str:
    if vendor is None or vendor.dpa is None:
        return "none on file"
    return f"{vendor.dpa.reference + ', ' if vendor.dpa.reference else ''}signed {vendor.dpa.signed}"


def _art9(a: Activity) -> str | None:
    return f"Art. 9(2): {_words(a.special_category_basis.value)}" if a.special_category_basis else None


def _words(key: str) -> str:
    return key.replace("_", " ")
