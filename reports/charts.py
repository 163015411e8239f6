"""Pictures for reports, as SVG text built from report models (escaped; no external assets)."""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import datetime, timedelta
from html import escape

from reports import bins
from reports.common import risk_level
from reports.models import Article30Report, Flow

COLOURS = {"allowed": "#2e7d32", "allowed_with_safeguard": "#f9a825", "needs_review": "#ef6c00",
           "unauthorised": "#c62828"}
ORDER = ["allowed", "allowed_with_safeguard", "needs_review", "unauthorised"]
SEVERITY_COLOURS = {"info": "#90a4ae", "low": "#66bb6a", "medium": "#fbc02d", "high": "#ef6c00",
                    "critical": "#c62828"}
LEVEL_COLOURS = {"low": "#c8e6c9", "medium": "#fff59d", "high": "#ffcc80", "very high": "#ef9a9a"}


def destinations_chart(report: Article30Report, width: int = 640) -> str:
    """Stacked bars: calls with personal data per set of places they went, coloured by decision (each call once)."""
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for d in report.destinations:
        totals[d.destinations][d.decision] += d.calls
    rows = sorted(totals.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    if len(rows) > 14:  # the rest as one labelled bar, so the bars still add up to every call
        rest: dict[str, int] = defaultdict(int)
        for _, by_decision in rows[13:]:
            for decision, n in by_decision.items():
                rest[decision] += n
        rows = rows[:13] + [(f"{len(rows) - 13} others", dict(rest))]
    if not rows:
        return ""
    top = max(sum(v.values()) for _, v in rows)
    bar_h, gap, right = 18, 6, 60
    left = round(min(max(110, max(len(d) for d, _ in rows) * BAR_CHAR_PX + 10), width * 0.4))  # places in words
    height = len(rows) * (bar_h + gap) + 40
    scale = (width - left - right) / top
    parts = []
    for i, (dest, by_decision) in enumerate(rows):
        y = 10 + i * (bar_h + gap)
        parts.extend(_label_lines(_wrap(dest, left - 10, "", BAR_CHAR_PX), dest, left - 6, y + 13, "end", pitch=10))
        x = float(left)
        for decision in ORDER:
            n = by_decision.get(decision, 0)
            if n:
                w = n * scale
                parts.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                             f'fill="{COLOURS[decision]}"><title>{escape(decision)}: {n}</title></rect>')
                x += w
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 13}">{sum(by_decision.values())}</text>')
    legend_x = min(left, width - len(ORDER) * 135 - 10)  # long place names push the bars right, not the legend
    parts.append(_legend([(d.replace("_", " "), COLOURS[d]) for d in ORDER], legend_x, height - 14, 135, box=10))
    return _svg(width, height, parts, font_size=10)


def _label_lines(lines: list[str], full: str, x: float, y: float, anchor: str, pitch: float) -> list[str]:
    """A label's ``lines`` as SVG text centred on ``y``; ``full`` as a hover hint when an ellipsis cut it."""
    hint = f"<title>{escape(full)}</title>" if " ".join(lines) != full else ""
    first = y - pitch * (len(lines) - 1) / 2
    return [f'<text x="{x}" y="{first + k * pitch:.1f}" text-anchor="{anchor}">{escape(line)}'
            f'{hint if k == len(lines) - 1 else ""}</text>' for k, line in enumerate(lines)]


def _wrap(text: str, pixels: float, keep: str, char_px: float = 0.0) -> list[str]:
    """``text`` in at most two lines of ``pixels``, broken at a space; the second shortened if it must be."""
    most = int(pixels / (char_px or CHAR_PX))
    if len(text) <= most or " " not in text:
        return [_fit(text, pixels, keep, char_px)]
    cut = text.rfind(" ", 0, most + 1)
    if cut <= 0:
        return [_fit(text, pixels, keep, char_px)]
    return [text[:cut], _fit(text[cut + 1:], pixels, keep, char_px)]


def _svg(width: int, height: int, body: list[str], font_size: int = 9) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} '
            f'{height}" font-family="DejaVu Sans" font-size="{font_size}">' + "".join(body) + "</svg>")


def _legend(entries: list[tuple[str, str]], x: float, y: float, step: float, box: int = 9) -> str:
    """A row of colour boxes with their labels, ``step`` apart."""
    return "".join(f'<rect x="{x + j * step}" y="{y}" width="{box}" height="{box}" fill="{colour}"/>'
                   f'<text x="{x + j * step + box + 3}" y="{y + box - 1}">{escape(label)}</text>'
                   for j, (label, colour) in enumerate(entries))


def risk_matrix(risks, residual: bool = False, size: int = 250, title: str | None = None,
                names: tuple[tuple[str, ...], tuple[str, ...]] | None = None) -> str:
    """Likelihood × impact grid (4 × 4); each cell shows how many risks sit there. ``names``: the likelihood and
    the impact scale's words (default: rare..certain, low..critical)."""
    x_names, y_names = names or (("rare", "possible", "likely", "certain"), ("low", "medium", "high", "critical"))
    left = 8 + 6 * max(len(n) for n in y_names)  # room for the longest severity word
    cell, top = (size - 50) // 4, 14
    counts: dict[tuple[int, int], int] = defaultdict(int)
    for r in risks:
        counts[(r.residual_likelihood if residual else r.likelihood, r.impact)] += 1
    heading = title or ("Residual" if residual else "Inherent")
    body = [f'<text x="{left}" y="10" font-weight="bold">{escape(heading)} risk</text>']
    for likelihood in range(1, 5):
        for impact in range(1, 5):
            x, y = left + (likelihood - 1) * cell, top + (4 - impact) * cell
            body.append(f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" stroke="#fff" '
                        f'fill="{LEVEL_COLOURS[risk_level(likelihood * impact)]}"/>')
            n = counts.get((likelihood, impact))
            if n:
                body.append(f'<text x="{x + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" font-size="12" '
                            f'font-weight="bold">{n}</text>')
    for i, name in enumerate(x_names):
        body.append(f'<text x="{left + i * cell + cell / 2}" y="{top + 4 * cell + 11}" text-anchor="middle" '
                    f'font-size="{7 if len(name) > 8 else 8}">{name}</text>')
    for i, name in enumerate(y_names):
        body.append(f'<text x="{left - 3}" y="{top + (3 - i) * cell + cell / 2 + 3}" text-anchor="end">{name}</text>')
    body.append(f'<text x="{left + 2 * cell}" y="{top + 4 * cell + 23}" text-anchor="middle">likelihood →</text>')
    return _svg(left + 4 * cell + 10, top + 4 * cell + 28, body)


MAX_BAR_STEP = 80
"""The widest a bin's bar (with its gap) may be, in pixels."""

CHAR_PX = 5.6
"""About how wide a character of the 9 px chart font is, to space tick labels so they do not overlap."""
BAR_CHAR_PX = CHAR_PX * 10 / 9
"""The same for the bar chart's 10 px font."""


def findings_over_time(counts, minutes: int, width: int = 640, height: int = 180) -> str:
    """Stacked bars: findings per bin (``minutes`` wide, chosen for the data's span), coloured by severity."""
    per_bin: dict = defaultdict(lambda: defaultdict(int))
    for c in counts:
        per_bin[c.start][c.severity] += c.findings
    if not per_bin:
        return ""
    first, last = min(per_bin), max(per_bin)
    unit = bins.of(timedelta(minutes=minutes), first, last)
    starts = unit.starts(first, last)  # empty bins too: the axis is time, not a list of busy bins
    top = max(sum(v.values()) for v in per_bin.values())
    left, bottom, plot_h = 40, 34, height - 52
    step = min(MAX_BAR_STEP, (width - left - 10) / len(starts))  # a single bin is one bar, not a solid block
    body = [f'<text x="{left - 4}" y="{height - bottom - plot_h + 4}" text-anchor="end">{top:,}</text>',
            f'<text x="{left}" y="10">findings per {unit.name} (UTC)</text>',
            f'<line x1="{left}" y1="{height - bottom}" x2="{left + step * len(starts)}" y2="{height - bottom}" '
            'stroke="#999"/>']
    every = _label_every(step, unit, starts[0])
    for i, at in enumerate(starts):
        x, y = left + i * step, height - bottom
        for severity in ("info", "low", "medium", "high", "critical"):
            n = per_bin[at].get(severity, 0) if at in per_bin else 0
            if n:
                h = n / top * plot_h
                y -= h
                body.append(f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, step - 2):.1f}" height="{h:.1f}" '
                            f'fill="{SEVERITY_COLOURS[severity]}"><title>{at:%Y-%m-%d %H:%M} {severity}: {n}'
                            '</title></rect>')
        if len(starts) <= 14 and at in per_bin:
            body.append(f'<text x="{x + step / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">'
                        f'{sum(per_bin[at].values()):,}</text>')
        if i % every == 0:
            body.append(_tick(x, step, height - bottom, at, unit))
    body.append(_legend([(s, SEVERITY_COLOURS[s]) for s in ("low", "medium", "high", "critical")], left,
                        height - 12, 90))
    return _svg(width, height, body)


def _label_every(step: float, unit: bins.Bin, sample: datetime) -> int:
    """Label every n-th bar, so that labels keep at least a few pixels apart."""
    wide = len(sample.strftime(unit.label)) * CHAR_PX + 8
    return max(1, math.ceil(wide / step))


def _tick(x: float, step: float, y: float, at: datetime, unit: bins.Bin) -> str:
    return (f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + 3}" stroke="#999"/>'
            f'<text x="{x + step / 2:.1f}" y="{y + 12}" text-anchor="middle">{at.strftime(unit.label)}</text>')


def flows_sankey(flows, width: int = 640, limit: int = 24) -> str:
    """App feature → provider → destinations, band widths proportional to calls with personal data.

    Every flow with a finding is drawn; of the others the largest fill up to ``limit`` flows and the rest
    are grouped, per feature, into a flow to "other" whose total and count are written under the picture."""
    flows, grouped, grouped_calls = _keep_or_group(flows, limit)
    if not flows:
        return ""
    columns = [_totals(flows, lambda f: f.feature), _totals(flows, lambda f: f.provider),
               _totals(flows, lambda f: f.destination)]
    total = sum(f.calls for f in flows)
    gap, node_w, top = 6, 10, 12
    height = 320 + (14 if grouped else 0)
    scale = (320 - top - 10 - gap * max(len(c) for c in columns)) / total
    widest = max(len(f"{name} ({calls:,})") for name, calls in columns[0].items()) * CHAR_PX
    first = round(min(max(widest + 8, 60), 180))  # room for the features' labels, left of their nodes
    xs = (first, (first + width - 150) // 2 - node_w // 2, width - 150 - node_w)  # room for "CH + EU + GB + LU (45)"
    slots = [_stack(col, scale, gap, top) for col in columns]
    body = []
    out_used: dict = defaultdict(float)
    in_used: dict = defaultdict(float)
    for f in flows:
        w = f.calls * scale
        for stage, (a, b) in enumerate(((f.feature, f.provider), (f.provider, f.destination))):
            y1 = slots[stage][a] + out_used[(stage, a)] + w / 2
            y2 = slots[stage + 1][b] + in_used[(stage + 1, b)] + w / 2
            out_used[(stage, a)] += w
            in_used[(stage + 1, b)] += w
            x1, x2 = xs[stage] + node_w, xs[stage + 1]
            mid = (x1 + x2) / 2
            body.append(f'<path d="M{x1},{y1:.1f} C{mid},{y1:.1f} {mid},{y2:.1f} {x2},{y2:.1f}" fill="none" '
                        f'stroke="#5c6bc0" stroke-opacity="0.35" stroke-width="{max(w, 0.6):.1f}">'
                        f'<title>{escape(a)} → {escape(b)}: {f.calls}</title></path>')
    room = (xs[0] - 8, xs[2] - xs[1] - node_w - 10, width - xs[2] - node_w - 4)  # pixels each column's labels have
    lowest = 0.0
    for stage, col in enumerate(columns):
        labels = [_sankey_label(f"{name} ({calls:,})", room[stage], f" ({calls:,})", stage == 2)
                  for name, calls in col.items()]
        centres = _apart([slots[stage][name] + calls * scale / 2 for name, calls in col.items()], LABEL_GAP,
                         [len(lines) for lines in labels])
        for (name, calls), centre, lines in zip(col.items(), centres, labels):
            y, h = slots[stage][name], calls * scale
            body.append(f'<rect x="{xs[stage]}" y="{y:.1f}" width="{node_w}" height="{max(h, 1):.1f}" fill="#283593"/>')
            anchor, tx = ("end", xs[stage] - 4) if stage == 0 else ("start", xs[stage] + node_w + 4)
            body.extend(_label_lines(lines, f"{name} ({calls:,})", tx, centre + 3, anchor, LABEL_GAP))
            lowest = max(lowest, centre + 6 + LABEL_GAP * (len(lines) - 1) / 2)
    for stage, label in enumerate(("app feature", "provider", "destination")):
        body.append(f'<text x="{xs[stage] + node_w / 2}" y="9" text-anchor="middle" font-weight="bold">{label}</text>')
    height = max(height, round(lowest) + (18 if grouped else 4))  # labels pushed apart may reach below the nodes
    if grouped:
        body.append(f'<text x="{xs[0]}" y="{height - 4}">other: {grouped:,} smaller flows without findings, '
                    f'{grouped_calls:,} calls in all</text>')
    return _svg(width, height, body)


LABEL_GAP = 10
"""The least vertical distance between two node labels of a column, in pixels (9 px font)."""


def _apart(centres: list[float], gap: float, lines: list[int] | None = None) -> list[float]:
    """Label positions at the nodes' centres, pushed down where two would overlap (tiny nodes side by side);
    ``lines``: how many lines each label takes (one when not given)."""
    lines = lines or [1] * len(centres)
    placed: list[float] = []
    for i, c in enumerate(centres):
        placed.append(max(c, placed[-1] + gap * (lines[i - 1] + lines[i]) / 2) if placed else c)
    return placed


def _sankey_label(full: str, pixels: float, keep: str, may_wrap: bool) -> list[str]:
    """A node's label as lines: the destinations (places in words, often long) may take two."""
    return _wrap(full, pixels, keep) if may_wrap else [_fit(full, pixels, keep)]


def _fit(label: str, pixels: float, keep: str, char_px: float = 0.0) -> str:
    """``label`` shortened with an ellipsis to fit ``pixels``, keeping its ``keep`` tail (the count)."""
    most = int(pixels / (char_px or CHAR_PX))
    if len(label) <= most:
        return label
    head = label[:-len(keep)] if keep and label.endswith(keep) else label
    return head[:max(1, most - len(keep) - 1)].rstrip() + "…" + keep


def _keep_or_group(flows, limit: int) -> tuple[list, int, int]:
    """(flows to draw, how many were grouped, their calls): flows with findings always stay."""
    ranked = sorted(flows, key=lambda f: (-f.calls, f.feature, f.provider, f.destination))
    flagged = [f for f in ranked if f.finding]
    plain = [f for f in ranked if not f.finding]
    room = max(0, limit - len(flagged) - 1)
    if len(plain) <= room + 1:
        return ranked, 0, 0
    rest = plain[room:]
    per_feature: dict[str, int] = defaultdict(int)
    for f in rest:
        per_feature[f.feature] += f.calls
    other = [Flow(feature=feature, provider="other", destination="other", calls=n, finding=False)
             for feature, n in per_feature.items()]
    return flagged + plain[:room] + other, len(rest), sum(f.calls for f in rest)


def _totals(flows, key) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for f in flows:
        totals[key(f)] += f.calls
    return dict(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0])))


def _stack(column: dict[str, int], scale: float, gap: float, top: float) -> dict[str, float]:
    y, slots = top, {}
    for name, calls in column.items():
        slots[name] = y
        y += calls * scale + gap
    return slots


def failures_chart(buckets, minutes: int, width: int = 640, height: int = 160) -> str:
    """Bars per time bin (``minutes`` wide): the provider's failed calls, and how many of them failed over."""
    if not buckets:
        return ""
    unit = bins.of(timedelta(minutes=minutes), buckets[0].start, buckets[-1].start)
    top = max(max(b.failures, b.failed_over) for b in buckets) or 1
    left, bottom, plot_h = 40, 30, height - 44
    step = min(MAX_BAR_STEP, (width - left - 10) / len(buckets))
    body = [f'<text x="{left - 4}" y="14" text-anchor="end">{top:,}</text>',
            f'<line x1="{left}" y1="{height - bottom}" x2="{left + step * len(buckets)}" y2="{height - bottom}" '
            'stroke="#999"/>']
    every = _label_every(step, unit, buckets[0].start)
    for i, h in enumerate(buckets):
        x = left + i * step
        for n, colour, offset in ((h.failures, "#c62828", 0.0), (h.failed_over, "#1565c0", 0.5)):
            bar = n / top * plot_h
            body.append(f'<rect x="{x + 1 + offset * (step - 2) / 2:.1f}" y="{height - bottom - bar:.1f}" '
                        f'width="{max(1.0, (step - 2) / 2):.1f}" height="{bar:.1f}" fill="{colour}">'
                        f'<title>{h.start:%Y-%m-%d %H:%M}: {n}</title></rect>')
        if i % every == 0:
            body.append(_tick(x, step, height - bottom, h.start, unit))
    body.append(_legend([("failed calls", "#c62828"), ("failed over to the sovereign model", "#1565c0")], left,
                        height - 12, 100))
    return _svg(width, height, body)
