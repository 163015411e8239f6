"""Pictures for reports, as SVG text built from report models (escaped; no external assets)."""

from __future__ import annotations

from collections import defaultdict
from html import escape

from reports.models import Article30Report

COLOURS = {"allowed": "#2e7d32", "allowed_with_safeguard": "#f9a825", "needs_review": "#ef6c00",
           "unauthorised": "#c62828"}
ORDER = ["allowed", "allowed_with_safeguard", "needs_review", "unauthorised"]


def destinations_chart(report: Article30Report, width: int = 640) -> str:
    """Stacked bars: calls with personal data per destination, coloured by decision."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for activity in report.activities:
        for t in activity.transfers:
            totals[t.destination][t.decision] += t.calls
    rows = sorted(totals.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))[:14]
    if not rows:
        return ""
    top = max(sum(v.values()) for _, v in rows)
    bar_h, gap, left, right = 18, 6, 90, 60
    height = len(rows) * (bar_h + gap) + 40
    scale = (width - left - right) / top
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans" font-size="10">']
    for i, (dest, by_decision) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        parts.append(f'<text x="{left - 6}" y="{y + 13}" text-anchor="end">{escape(dest)}</text>')
        x = float(left)
        for decision in ORDER:
            n = by_decision.get(decision, 0)
            if n:
                w = n * scale
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{COLOURS[decision]}"><title>{escape(decision)}: {n}</title></rect>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(by_decision.values())}</text>')
    legend_y = height - 14
    for j, decision in enumerate(ORDER):
        lx = left + j * 135
        parts.append(f'<rect x="{lx}" y="{legend_y}" width="10" height="10" fill="{COLOURS[decision]}"/>'
                     f'<text x="{lx + 14}" y="{legend_y + 9}">{escape(decision.replace("_", " "))}</text>')
    parts.append("</svg>")
    return "".join(parts)
