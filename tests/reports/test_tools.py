"""The transfer tool per recipient and country, as of a day: a table of cases, full and partial adequacy
included (the DPF covers certified US recipients only; Japan's finding only APPI operators)."""

from __future__ import annotations

from datetime import date

import pytest

from reports.tools import tool_for
from rules.instruments import Bcr, DpfCertification, Scc, Tia
from rules.jurisdictions import load_jurisdictions
from rules.policy import Activity, Vendor

DAY = date(2026, 11, 2)
ACTIVITY = Activity(id="support", name="Support", purpose="answer", legal_basis="contract",
                    data_subjects=("customer",), retention="30 days")
SCC = Scc(module=2, signed=date(2025, 2, 3))
GOOD_TIA = Tia(completed=date(2025, 3, 10), review_by=date(2027, 3, 10), outcome="positive")
STALE_TIA = Tia(completed=date(2023, 3, 10), review_by=date(2025, 3, 10), outcome="positive")
DPF = DpfCertification(certified=True, verified_on=date(2026, 1, 5), active_from=date(2023, 7, 17))
LAPSED_DPF = DpfCertification(certified=True, verified_on=date(2026, 1, 5), active_from=date(2023, 7, 17),
                              active_until=date(2026, 6, 1))


@pytest.mark.parametrize(
    ("country", "vendor", "activity", "kind", "holds", "says"),
    [
        ("FR", None, ACTIVITY, "eea", True, "none needed (EEA)"),
        ("CH", None, ACTIVITY, "adequacy", True, "adequacy decision (Art. 45)"),
        ("US", Vendor(provider="x", dpf=DPF), ACTIVITY, "dpf", True, "certified recipients"),
        ("US", Vendor(provider="x"), ACTIVITY, "none", False, "covers only DPF-certified recipients"),
        ("US", Vendor(provider="x", dpf=LAPSED_DPF), ACTIVITY, "none", False, "covers only DPF-certified"),
        ("JP", Vendor(provider="x", adequacy_attestations=("appi",)), ACTIVITY, "regime", True, "subject to APPI"),
        ("JP", Vendor(provider="x"), ACTIVITY, "none", False, "covers only recipients subject to APPI"),
        ("US", Vendor(provider="x", scc=SCC, tia=GOOD_TIA), ACTIVITY, "scc", True, "SCC 2021/914 Module 2"),
        ("US", Vendor(provider="x", scc=SCC, tia=STALE_TIA), ACTIVITY, "scc", False, "due for review on 2025-03-10"),
        ("US", Vendor(provider="x", scc=SCC), ACTIVITY, "scc", False, "no transfer impact assessment on file"),
        ("IN", Vendor(provider="x", bcr=Bcr(approved_by="CNIL", approved=date(2020, 5, 1))), ACTIVITY, "bcr", True,
         "BCR (Art. 47) approved by CNIL"),
        ("CN", None, Activity.model_validate({**ACTIVITY.model_dump(), "derogations": ["49_1_a"]}), "derogation", True, "Art. 49(1)(a)"),
        ("CN", None, ACTIVITY, "none", False, "none on file"),
    ],
)
def test_the_tool_a_transfer_rests_on(country, vendor, activity, kind, holds, says) -> None:
    tool = tool_for(country, vendor, activity, DAY, load_jurisdictions())
    assert (tool.kind, tool.holds) == (kind, holds)
    assert says in tool.text
