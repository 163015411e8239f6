"""Every headline figure of the reports, recounted independently from the store's raw call rows.

The recount reads the ``calls`` table row by row and counts in Python; the reports count with their
own named queries. The two must agree, in the model (JSON) and in the rendered PDF.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from reports import article30_html, build_article30, build_dpia, to_json, to_pdf
from reports.charts import destinations_chart, flows_sankey
from reports.models import Flow
from rules.jurisdictions import load_jurisdictions
from stream.store import open_store
from tests.reports.conftest import built

pytestmark = pytest.mark.kafka
FIRST, LAST = date(2026, 11, 2), date(2026, 11, 4)


@dataclass(frozen=True)
class Row:
    """One raw call row, as the store holds it."""

    activity: str
    recipient: str
    feature: str
    destinations: tuple[str, ...]
    personal: bool
    special: bool


def raw_rows(path: Path, tenant: str) -> list[Row]:
    con = open_store(path, read_only=True)
    rows = con.execute("SELECT activity_id, provider, host, feature, locations, entity_country, categories, special "
                       "FROM calls WHERE tenant = ?", [tenant]).fetchall()
    con.close()
    result = []
    for activity, provider, host, feature, locations, entity, categories, special in rows:
        places = sorted(set(locations) | ({entity} if entity else set())) or ["unknown"]
        result.append(Row(activity or "-", provider or f"host:{host}", feature, tuple(places),
                          bool(categories) or special, special))
    return result


@pytest.fixture(scope="module")
def raw(evidence) -> list[Row]:
    return raw_rows(evidence.path, evidence.tenant)


@pytest.fixture(scope="module")
def article30(evidence):
    return built(evidence.path, build_article30, evidence.tenant, FIRST, LAST)


@pytest.fixture(scope="module")
def dpia(evidence):
    return built(evidence.path, build_dpia, evidence.tenant, FIRST, LAST)


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    raw_text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"\s+", " ", raw_text)


def test_the_destination_chart_counts_each_call_once(article30, raw) -> None:
    with_pd = sum(r.personal for r in raw)
    bars = [int(n) for n in re.findall(r"<title>[a-z_ ]+: (\d+)</title>", destinations_chart(article30))]
    assert sum(bars) == with_pd, f"bars add up to {sum(bars)} for {with_pd} calls with personal data"


def test_sankey_nodes_show_each_features_own_calls(dpia, raw) -> None:
    per_feature = Counter(r.feature for r in raw if r.personal)
    svg = flows_sankey(dpia.flows)
    shown = {name: int(n) for name, n in re.findall(r'text-anchor="end">([^<]+) \((\d+)\)</text>', svg)}
    assert shown == dict(per_feature)


def test_a_flow_with_a_finding_is_always_drawn_and_small_ones_are_grouped() -> None:
    big = [Flow(feature=f"feature-{i}", provider="OpenAI", destination="US", calls=100 + i, finding=False)
           for i in range(30)]
    banned = Flow(feature="support_chat", provider="DeepSeek", destination="CN", calls=1, finding=True)
    svg = flows_sankey([*big, banned], limit=10)
    assert "DeepSeek (1)" in svg and "CN (1)" in svg, "the banned provider's flow to China is drawn"
    dropped = sorted(big, key=lambda f: -f.calls)[8:]  # 1 with a finding, 8 largest, 1 "other"
    assert f"other ({sum(f.calls for f in dropped):,})" in svg
    assert f"{len(dropped)} smaller flows without findings" in svg


def test_the_sankey_draws_every_flow_with_a_finding_of_the_store(dpia) -> None:
    svg = flows_sankey(dpia.flows)
    for flow in (f for f in dpia.flows if f.finding):
        assert f"{flow.feature} → {flow.provider}" in svg and f"{flow.provider} → {flow.destination}" in svg


def test_transfer_rows_carry_the_basis_of_their_own_destination(article30, raw) -> None:
    jurisdictions = load_jurisdictions()
    adequacy = jurisdictions.adequacy_by_destination
    counted: Counter = Counter()
    for activity in article30.activities:
        for t in activity.transfers:
            counted[(activity.id, t.provider, t.destination)] += t.calls
            if t.destination in jurisdictions.eea_codes:
                assert (t.basis, t.decision) in {("eea", "allowed"), ("not_a_transfer", "allowed")}, t
            elif t.destination in adequacy and adequacy[t.destination].scope.kind == "full" \
                    and adequacy[t.destination].in_force(t.last_seen.date()):
                assert (t.basis, t.decision) == ("adequacy", "allowed"), t
    expected: Counter = Counter()
    for r in raw:
        if r.personal:
            for d in r.destinations:
                expected[(r.activity, r.recipient, "unknown" if d == "*" else d)] += 1
    assert {k: v for k, v in counted.items()} == {k: v for k, v in expected.items() if k[0] != "-"}


def test_art9_data_to_an_undeclared_recipient_is_called_out(evidence, article30, tmp_path) -> None:
    flagged = [(a, t) for a in article30.activities for t in a.transfers
               if t.special_calls and t.provider not in _declared(evidence, a.id)]
    assert flagged, "the evidence holds health data sent to a recipient its activity does not declare"
    for _, t in flagged:
        assert any("Art. 9" in note and "not declare" in note for note in t.notes), t
    text = pdf_text(to_pdf(article30_html(article30)), tmp_path)
    assert "Art. 9 data to a recipient the activity does not declare" in text


def _declared(evidence, activity_id: str) -> set[str]:
    con = open_store(evidence.path, read_only=True)
    try:
        rows = con.execute("SELECT recipients FROM processing_activities WHERE tenant = ? AND activity_id = ?",
                           [evidence.tenant, activity_id]).fetchall()
    finally:
        con.close()
    return {p for r in rows for p in r[0]}


def test_article30_headline_figures_equal_the_recount(article30, raw, tmp_path) -> None:
    data = json.loads(to_json(article30))
    assert data["calls_total"] == len(raw)
    assert data["calls_with_personal_data"] == sum(r.personal for r in raw)
    assert data["calls_special"] == sum(r.special for r in raw)
    per_activity = Counter(r.activity for r in raw if r.personal)
    special = Counter(r.activity for r in raw if r.special)
    for a in data["activities"]:
        assert a["calls"] == per_activity[a["id"]], a["id"]
        assert a["special_calls"] == special[a["id"]], a["id"]
    assert data["calls_outside_activities"] == per_activity["-"]
    text = pdf_text(to_pdf(article30_html(article30)), tmp_path)
    assert f"AI calls observed {len(raw):,}" in text
    assert f"with personal data {sum(r.personal for r in raw):,}" in text
    assert f"with Art. 9 data {sum(r.special for r in raw):,}" in text
    for a in article30.activities:
        assert f"{per_activity[a.id]:,} with personal data" in text, a.id


def test_dpia_headline_figures_equal_the_recount(dpia, raw) -> None:
    data = json.loads(to_json(dpia))
    assert data["calls_total"] == len(raw)
    for a in data["activities"]:
        mine = [r for r in raw if r.activity == a["id"]]
        assert (a["calls"], a["calls_with_personal_data"], a["special_calls"]) == \
               (len(mine), sum(r.personal for r in mine), sum(r.special for r in mine)), a["id"]
    assert sum(f["calls"] for f in data["flows"]) == sum(r.personal for r in raw), "each call in one flow"


def test_the_record_names_third_countries_and_its_transfer_table_keeps_country_codes(article30) -> None:
    listed = [d for a in article30.activities
              for d in (*a.destinations_declared, *a.destinations_undeclared, *a.destinations_unseen)]
    assert listed, "the evidence declares or shows third countries"
    assert not [d for d in listed if re.fullmatch(r"[A-Z]{2}|\*|anywhere", d)], listed
    codes = {t.destination for a in article30.activities for t in a.transfers}
    assert codes and all(re.fullmatch(r"[A-Z]{2}|unknown", c) for c in codes), codes
