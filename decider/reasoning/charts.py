"""Charts as standalone SVG text (no plotting library): the economics lines and the portfolio bars.

SVG opens in any browser, renders on code hosts when a Markdown file links it, and diffs as text.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from decider.reasoning.economics import Economics, money_words, summary_line

WIDTH = 760
FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"
API_COLOUR, TUNING_COLOUR, MARK_COLOUR = "#1f77b4", "#d62728", "#2ca02c"
LEVEL_COLOURS = {"high": "#2ca02c", "moderate": "#ffbf00", "low": "#d62728", "": "#7f7f7f"}


def economics_svg(result: Economics) -> str:
    """Cumulative cost lines of the API and of tuning, the break-even month marked, the assumptions beneath."""
    left, top, plot_w, plot_h = 90, 50, WIDTH - 120, 280
    top_value = nice_ceiling(max(result.api[-1], result.tuning[-1], 1.0))

    def x(month: float) -> float:
        return left + plot_w * month / result.months

    def y(value: float) -> float:
        return top + plot_h * (1 - value / top_value)

    parts = [_text(left, 28, f"Cumulative cost over {result.months} months: staying on the API or tuning", size=16,
                   weight="bold")]
    for i in range(5):  # horizontal grid with cost labels
        value = top_value * i / 4
        parts.append(f"<line x1='{left}' y1='{y(value):.1f}' x2='{left + plot_w}' y2='{y(value):.1f}' stroke='#ddd'/>")
        parts.append(_text(left - 8, y(value) + 4, money_words(value), anchor="end", size=11))
    for month in range(0, result.months + 1, 6):
        parts.append(_text(x(month), top + plot_h + 18, str(month), anchor="middle", size=11))
    parts.append(_text(left + plot_w / 2, top + plot_h + 36, "month", anchor="middle", size=12))
    parts.append(_text(16, top + plot_h / 2, f"cumulative cost ({result.unit})" if result.unit else "cumulative cost",
                       anchor="middle", size=12, rotate=True))
    parts.append(f"<rect x='{left}' y='{top}' width='{plot_w}' height='{plot_h}' fill='none' stroke='#888'/>")
    for values, colour, label in ((result.api, API_COLOUR, "staying on the API"), (result.tuning, TUNING_COLOUR, "tuning")):
        points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in enumerate(values))
        parts.append(f"<polyline points='{points}' fill='none' stroke='{colour}' stroke-width='2.5'>"
                     f"<title>{escape(label)}</title></polyline>")
    legend_y = top + 14
    for offset, (colour, label) in enumerate(((API_COLOUR, "staying on the API"), (TUNING_COLOUR, "tuning"))):
        ly = legend_y + offset * 18
        parts.append(f"<line x1='{left + 12}' y1='{ly}' x2='{left + 36}' y2='{ly}' stroke='{colour}' stroke-width='3'/>")
        parts.append(_text(left + 42, ly + 4, label, size=12))
    if result.break_even is not None and result.break_even <= result.months:
        month = result.break_even
        api, _ = result.at(month)
        parts.append(f"<line x1='{x(month):.1f}' y1='{top}' x2='{x(month):.1f}' y2='{top + plot_h}' "
                     f"stroke='{MARK_COLOUR}' stroke-width='2' stroke-dasharray='6 4'/>")
        parts.append(f"<circle cx='{x(month):.1f}' cy='{y(api):.1f}' r='5' fill='{MARK_COLOUR}'/>")
        anchor = "end" if month > result.months * 0.7 else "start"
        shift = -6 if anchor == "end" else 6
        parts.append(_text(x(month) + shift, top + plot_h - 10, f"break-even: month {month}", anchor=anchor, size=13,
                           weight="bold", colour=MARK_COLOUR))
    notes = [summary_line(result), *result.assumptions]
    return _document(parts, notes, top + plot_h + 60)


def bars_svg(title: str, bars: Sequence[tuple[str, Sequence[tuple[str, int]]]], legend: Sequence[str]) -> str:
    """Horizontal stacked bars: one per label, segments by category (coloured by confidence level)."""
    label_w, top, bar_h, gap = 330, 50, 26, 10
    plot_w = WIDTH - label_w - 70
    largest = max((sum(n for _, n in segments) for _, segments in bars), default=1) or 1
    parts = [_text(20, 28, title, size=16, weight="bold")]
    for row, (label, segments) in enumerate(bars):
        y = top + row * (bar_h + gap)
        parts.append(_text(label_w - 8, y + bar_h / 2 + 4, _clip(label, 46), anchor="end", size=12))
        x = float(label_w)
        for category, count in segments:
            width = plot_w * count / largest
            if width > 0:
                parts.append(f"<rect x='{x:.1f}' y='{y}' width='{width:.1f}' height='{bar_h}' "
                             f"fill='{LEVEL_COLOURS.get(category, '#7f7f7f')}'><title>{escape(label)}: {count} "
                             f"{escape(category or 'no level')}</title></rect>")
            x += width
        parts.append(_text(x + 6, y + bar_h / 2 + 4, str(sum(n for _, n in segments)), size=12))
    legend_y = top + len(bars) * (bar_h + gap) + 10
    lx = 20.0
    for category in legend:
        parts.append(f"<rect x='{lx:.1f}' y='{legend_y}' width='14' height='14' "
                     f"fill='{LEVEL_COLOURS.get(category, '#7f7f7f')}'/>")
        parts.append(_text(lx + 20, legend_y + 12, f"{category or 'no level'} confidence", size=12))
        lx += 170
    return _document(parts, [], legend_y + 30)


def _document(parts: list[str], notes: Sequence[str], notes_top: float) -> str:
    lines, y = [], notes_top
    for note in notes:
        for piece in _wrap(note, 110):
            lines.append(_text(20, y, piece, size=12))
            y += 17
        y += 3
    height = int(y + 10)
    body = "\n".join(parts + lines)
    return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
            f"viewBox='0 0 {WIDTH} {height}' {FONT}>\n<rect width='100%' height='100%' fill='white'/>\n{body}\n</svg>\n")


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, weight: str = "normal",
          colour: str = "#222", rotate: bool = False) -> str:
    turn = f" transform='rotate(-90 {x:.1f} {y:.1f})'" if rotate else ""
    return (f"<text x='{x:.1f}' y='{y:.1f}' text-anchor='{anchor}' font-size='{size}' font-weight='{weight}' "
            f"fill='{colour}'{turn}>{escape(text)}</text>")


def nice_ceiling(value: float) -> float:
    """The smallest round number (a step that divides evenly by 4, times a power of ten) at or above `value`."""
    power = 10 ** max(0, len(str(int(value))) - 1)
    for step in (1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def _wrap(text: str, width: int) -> list[str]:
    import textwrap

    return textwrap.wrap(text.replace("`", ""), width) or [""]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
