"""Destination labels in reports are places in words (rules.wording), not registry codes."""

from __future__ import annotations

import re

import pytest

from reports.common import place_label
from reports.models import DestinationCount


@pytest.mark.parametrize(("label", "words"), [
    ("CH + EU + GB", "Switzerland, the European Union and the United Kingdom"),
    ("DE", "Germany"),
    ("*", "unknown locations"),
    ("* + US", "the United States and unknown locations"),
    ("unknown", "unknown locations"),  # the store's label for a call whose place was not resolved at all
])
def test_a_destination_label_names_its_places(label: str, words: str) -> None:
    assert place_label(label) == words



def test_the_destination_chart_fits_long_place_names_and_its_whole_legend() -> None:
    from datetime import date

    from reports.charts import destinations_chart
    from reports.models import Article30Report

    long_name = place_label("CH + EU + GB + LU")
    report = Article30Report.model_construct(destinations=[
        DestinationCount(destinations=long_name, decision="allowed", calls=45),
        DestinationCount(destinations="China", decision="unauthorised", calls=22)], period_start=date(2026, 11, 2))
    svg = destinations_chart(report)
    assert "unauthorised" in svg and "Luxembourg" in svg, svg
    texts = re.findall(r'<text x="([\d.]+)" y="[\d.]+"( text-anchor="end")?>([^<]+)', svg)
    spans = [(float(x) - len(t) * 6.2, float(x)) if end else (float(x), float(x) + len(t) * 6.2) for x, end, t in texts]
    assert all(0 <= a and b <= 640 for a, b in spans), texts
