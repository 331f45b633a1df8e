"""A small SVG chart: a model trajectory as a line, observations as points (hollow for lower bounds)."""
from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 360, 200, 52, 12, 28, 28


def _ticks(low: float, high: float, n: int = 4) -> list[float]:
    if high <= low:
        high = low + 1
    raw = (high - low) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), default=raw)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(n + 3) if start + i * step <= high + step * 0.01]


def chart(title: str, line: tuple[list, list], points: list[tuple[int, float, bool]], unit: str = "") -> str:
    """``line`` = (years, values) of the model; ``points`` = (year, value, is_lower_bound) observations."""
    xs = list(line[0]) + [p[0] for p in points]
    ys = [v for v in line[1] if math.isfinite(v)] + [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    ticks = _ticks(min(ys), max(ys))
    y0, y1 = ticks[0], ticks[-1]

    def sx(x):
        return PAD_LEFT + (x - x0) / max(x1 - x0, 1) * (WIDTH - PAD_LEFT - PAD_RIGHT)

    def sy(y):
        return HEIGHT - PAD_BOTTOM - (y - y0) / max(y1 - y0, 1e-12) * (HEIGHT - PAD_TOP - PAD_BOTTOM)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="10">',
             f'<text x="{PAD_LEFT}" y="14" font-size="12" font-weight="bold">{escape(title)}'
             f'{" (" + escape(unit) + ")" if unit else ""}</text>']
    for t in ticks:
        y = sy(t)
        parts.append(f'<line x1="{PAD_LEFT}" x2="{WIDTH - PAD_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{PAD_LEFT - 4}" y="{y + 3:.1f}" text-anchor="end">{t:g}</text>')
    for year in range(int(x0), int(x1) + 1):
        if (year - int(x0)) % max(1, (int(x1) - int(x0)) // 6 or 1) == 0:
            parts.append(f'<text x="{sx(year):.1f}" y="{HEIGHT - 10}" text-anchor="middle">{year}</text>')
    path = " ".join(f"{'M' if i == 0 else 'L'}{sx(x):.1f},{sy(y):.1f}"
                    for i, (x, y) in enumerate(zip(*line)) if math.isfinite(y))
    parts.append(f'<path d="{path}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    for year, value, bound in points:
        fill = "white" if bound else "#d62728"
        parts.append(f'<circle cx="{sx(year):.1f}" cy="{sy(value):.1f}" r="4" fill="{fill}" stroke="#d62728" '
                     f'stroke-width="1.5"><title>{year}: {value:g}{" (lower bound)" if bound else ""}</title></circle>')
    parts.append(f'<text x="{WIDTH - PAD_RIGHT}" y="{PAD_TOP - 6}" text-anchor="end" fill="#555">'
                 f'line: model · dots: observed · hollow: lower bound</text>')
    parts.append("</svg>")
    return "\n".join(parts)
