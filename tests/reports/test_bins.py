"""Chart bins follow the data's span: minutes for an hour, hours for a day, days for a month; labels say the
date once the data crosses midnight, and never overlap."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from reports.bins import bin_for
from reports.charts import CHAR_PX, failures_chart, findings_over_time
from reports.incident_models import Bucket
from reports.models import TimeCount

T0 = datetime(2026, 11, 3, 8, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(("span", "name", "label", "bars"), [
    (timedelta(minutes=10), "5 minutes", "%H:%M", 3),
    (timedelta(hours=1), "5 minutes", "%H:%M", 13),
    (timedelta(hours=2, minutes=20), "5 minutes", "%H:%M", 29),
    (timedelta(hours=15), "30 minutes", "%H:%M", 31),
    (timedelta(hours=23), "hour", "%d %b %H:%M", 24),  # 08:00 to 07:00 next day: the date is needed
    (timedelta(days=3), "3 hours", "%d %b %H:%M", 25),
    (timedelta(days=30), "day", "%d %b", 31),
    (timedelta(days=200), "week", "%d %b %Y", 29),
])
def test_the_bin_suits_the_span(span: timedelta, name: str, label: str, bars: int) -> None:
    unit = bin_for(T0, T0 + span)
    assert (unit.name, unit.label, len(unit.starts(T0, T0 + span))) == (name, label, bars)


def test_a_day_from_midnight_labels_times_only() -> None:
    midnight = datetime(2026, 11, 3, tzinfo=timezone.utc)
    unit = bin_for(midnight, midnight + timedelta(hours=23, minutes=55))
    assert (unit.name, unit.label) == ("hour", "%H:%M")


def test_bins_start_on_round_times() -> None:
    unit = bin_for(T0, T0 + timedelta(days=1))
    assert unit.floor(T0 + timedelta(minutes=47)) == T0
    assert bin_for(T0, T0 + timedelta(days=30)).floor(T0) == datetime(2026, 11, 3, tzinfo=timezone.utc)


def _spread(span: timedelta, n: int = 400) -> list[TimeCount]:
    """``n`` findings spread evenly over ``span`` from T0, in the store's 5-minute rows."""
    rows: dict[datetime, int] = {}
    for i in range(n):
        at = T0 + span * i / n
        at -= timedelta(minutes=at.minute % 5, seconds=at.second, microseconds=at.microsecond)
        rows[at] = rows.get(at, 0) + 1
    unit = bin_for(min(rows), max(rows))
    summed: dict[datetime, int] = {}
    for at, k in rows.items():
        summed[unit.floor(at)] = summed.get(unit.floor(at), 0) + k
    return [TimeCount(start=at, severity="high", findings=k) for at, k in sorted(summed.items())], unit


@pytest.mark.parametrize(("span", "caption"), [(timedelta(hours=1), "findings per 5 minutes"),
                                               (timedelta(days=1), "findings per hour"),
                                               (timedelta(days=30), "findings per day")])
def test_findings_over_time_on_an_hour_a_day_and_a_month(span: timedelta, caption: str) -> None:
    counts, unit = _spread(span)
    svg = findings_over_time(counts, int(unit.width.total_seconds() // 60))
    assert caption in svg
    bars = re.findall(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', svg)
    assert len(bars) - 4 == len(counts), "one bar per busy bin (the legend has four boxes)"
    assert sum(c.findings for c in counts) == 400
    _labels_do_not_overlap(svg)


@pytest.mark.parametrize("span", [timedelta(minutes=40), timedelta(days=1), timedelta(days=30)])
def test_the_failures_chart_labels_stay_apart_on_any_span(span: timedelta) -> None:
    unit = bin_for(T0, T0 + span)
    buckets = [Bucket(start=at, failures=3, failed_over=2) for at in unit.starts(T0, T0 + span)]
    svg = failures_chart(buckets, int(unit.width.total_seconds() // 60))
    _labels_do_not_overlap(svg)
    if span > timedelta(hours=12):
        assert T0.strftime("%d %b") in svg, "a chart over several days says which day"


def _labels_do_not_overlap(svg: str) -> None:
    ticks = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle">([^<]+)</text>', svg)
    ticks = [(float(x), text) for x, text in ticks if re.search(r"\d\d:\d\d|\d\d \w\w\w", text)]
    assert len(ticks) >= 2
    for (x1, t1), (x2, t2) in zip(ticks, ticks[1:]):
        assert x2 - x1 >= (len(t1) + len(t2)) / 2 * CHAR_PX, (t1, t2)


def test_sankey_labels_of_tiny_nodes_stay_apart_and_long_names_keep_their_count() -> None:
    from reports.charts import LABEL_GAP, flows_sankey
    from reports.models import Flow

    flows = [Flow(feature="checkout", provider="OpenAI API", destination="IE + US", calls=20_000, finding=False),
             Flow(feature="checkout", provider="DeepSeek API", destination="CN", calls=3, finding=True),
             Flow(feature="checkout", provider="host:api.another-unknown-llm.example", destination="unknown", calls=2,
                  finding=True)]
    svg = flows_sankey(flows)
    labels = re.findall(r'<text x="([\d.]+)" y="([\d.]+)" text-anchor="start">([^<]+)', svg)
    for column in {x for x, _, _ in labels}:
        ys = sorted(float(y) for x, y, _ in labels if x == column)
        assert all(b - a >= LABEL_GAP for a, b in zip(ys, ys[1:])), ys
    assert "host:api.another-unknown-llm.example (2)" not in [text for _, _, text in labels]
    assert any(text.endswith("… (2)") for _, _, text in labels), "shortened, the count kept"
    assert "<title>host:api.another-unknown-llm.example (2)</title>" in svg
