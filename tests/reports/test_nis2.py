"""NIS2 applicability (Arts. 2, 3) and significance (Art. 23(3)) as tables of cases, and the CSIRT table."""

from __future__ import annotations

import pytest

from reports.nis2 import NOT_AN_ENTITY, Impact, applicability, competent, csirts, significance
from rules.policy import Controller

BASE = {"name": "Shop", "contact": "dpo@shop.example", "country": "DE"}


@pytest.mark.parametrize(
    ("fields", "in_scope", "entity_type", "because"),
    [
        ({"employees": 38}, False, NOT_AN_ENTITY, "no NIS2 sector recorded (38 staff)"),
        ({"employees": 900}, False, NOT_AN_ENTITY, "not an online marketplace"),
        ({"employees": 38, "nis2_sector": "online_marketplace"}, False, NOT_AN_ENTITY, "below the medium-sized cap"),
        ({"employees": 60, "nis2_sector": "online_marketplace"}, True, "important", "Annex II"),
        ({"employees": 300, "nis2_sector": "online_marketplace"}, True, "important", "large-sized"),
        ({"employees": 300, "nis2_sector": "cloud_computing"}, True, "essential", "Annex I"),
        ({"employees": 60, "nis2_sector": "cloud_computing"}, True, "important", "medium-sized"),
        ({"employees": 10, "annual_turnover_eur": 12_000_000, "balance_sheet_eur": 11_000_000,
          "nis2_sector": "food"}, True, "important", "medium-sized (10 staff)"),
        ({"employees": 10, "annual_turnover_eur": 12_000_000, "balance_sheet_eur": 9_000_000,
          "nis2_sector": "food"}, False, NOT_AN_ENTITY, "small"),
        ({"employees": 3, "nis2_sector": "dns"}, True, "essential", "whatever its size"),
        ({"nis2_sector": "manufacturing"}, None, "undetermined", "size unknown"),
        ({"employees": 400, "nis2_sector": "retail"}, False, NOT_AN_ENTITY, "in neither annex"),
    ],
)
def test_applicability(fields, in_scope, entity_type, because) -> None:
    result = applicability(Controller(**BASE, **fields))
    assert (result.in_scope, result.entity_type) == (in_scope, entity_type)
    assert because in " ".join(result.reasons)


@pytest.mark.parametrize(
    ("minutes", "calls", "failed", "failed_over", "significant", "says"),
    [
        (12, 40, 30, 30, False, "every one of the 30 failed calls was served"),
        (45, 100, 100, 0, True, "unavailable for more than 30 min"),
        (25, 100, 100, 0, False, "below the reference thresholds"),
        (90, 1000, 80, 20, True, "limited for more than 5 % of calls for more than 1 h"),
        (90, 1000, 60, 20, False, "40 of 1,000 calls in the window unserved (4.0 %)"),
        (50, 1000, 80, 20, False, "below the reference thresholds"),
        (0, 0, 0, 0, False, "0 of 0 calls"),
    ],
)
def test_significance(minutes, calls, failed, failed_over, significant, says) -> None:
    result = significance(Impact(minutes=minutes, calls_in_window=calls, failed=failed, failed_over=failed_over,
                                 features=("support_chat",)))
    assert result.significant is significant
    assert says in result.disruption
    assert result.damage.startswith("no indication")


EU_27 = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
         "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK")


def test_the_csirt_table_names_its_source_and_caveat() -> None:
    table = csirts()
    assert table.source and table.checked
    assert "BSI" in competent("DE") and "check the national law" in competent("DE")
    assert "not an EU member state in Douane's table" in competent("NO"), "NIS2 binds the 27, not the EEA three"


@pytest.mark.parametrize("country", EU_27)
def test_every_member_state_resolves_to_a_csirt_and_authority_with_its_source(country: str) -> None:
    entry = csirts().members[country]
    assert entry.source.startswith("https://") and entry.checked and entry.law
    said = competent(country)
    assert said.startswith(f"CSIRT: {entry.csirt}; competent authority: {entry.authority}")
    assert ("not verified" in said) is not entry.verified, "an unverified entry says so"


def test_the_table_holds_the_27_member_states_and_no_other() -> None:
    assert sorted(csirts().members) == sorted(EU_27)
