"""The timeline's two views: a text histogram for the terminal and an SVG bar chart for the page.

The bars come from `searchkit.results.timeline.bars`. The SVG is a few lines of markup written here rather than a
plotting library: it has to be inline (no JavaScript, no image request), every bar a plain link to its
month's filter, and escaped like everything else on the page; matplotlib or pygal would add a dependency
of megabytes for rectangles, and their output still needs the links and the escaping added by hand.
"""
from __future__ import annotations

from typing import Callable

from markupsafe import Markup

from ..results.timeline import Bar

BAR_CHAR = "█"


def text_histogram(bars: list[Bar], width: int = 80) -> str:
    """One line per bar: label, a bar scaled to the largest count within ``width`` columns, the count."""
    if not bars:
        return "timeline: no dated matches"
    top = max(b.count for b in bars) or 1
    label_w = max(len(b.label) for b in bars)
    room = max(10, min(50, width - label_w - len(str(top)) - 2))
    lines = []
    for b in bars:
        bar = BAR_CHAR * max(1, round(b.count / top * room)) if b.count else "·"
        lines.append(f"{b.label:<{label_w}} {bar} {b.count}" if b.count else f"{b.label:<{label_w}} {bar}")
    return "\n".join(lines)


def timeline_svg(bars: list[Bar], href: Callable[[Bar], str], height: int = 100) -> Markup:
    """An inline SVG bar chart of ``bars`` plus an HTML axis; each bar with matches links to ``href(bar)``.

    The SVG stretches to its container's width (bars only, so stretching distorts nothing); the axis labels
    are HTML text below it, so they stay readable on a phone however many bars there are."""
    if not bars:
        return Markup("")
    top = max(b.count for b in bars) or 1
    slot = 24
    per_year = len(bars[0].label) == 4
    parts = [Markup('<svg class="timeline-chart" viewBox="0 0 %d %d" preserveAspectRatio="none" role="group" '
                    'aria-label="Matching articles per %s">') % (slot * len(bars), height, "year" if per_year else "month")]
    for i, b in enumerate(bars):
        x = i * slot
        if b.count:
            h = max(3, round(b.count / top * (height - 4)))
            noun = "article" if b.count == 1 else "articles"
            parts.append(Markup('<a href="%s" class="bar" aria-label="%s: %d %s"><title>%s: %d %s</title>'
                                '<rect x="%d" y="0" width="%d" height="%d" class="hit-area"></rect>'
                                '<rect x="%d" y="%d" width="%d" height="%d" class="fill"></rect></a>')
                         % (href(b), b.label, b.count, noun, b.label, b.count, noun, x, slot, height,
                            x + 2, height - h, slot - 4, h))
        else:
            parts.append(Markup('<rect x="%d" y="%d" width="%d" height="1" class="empty"></rect>')
                         % (x + 2, height - 1, slot - 4))
    parts.append(Markup('</svg><div class="timeline-axis" aria-hidden="true"><span>%s</span><span>%s</span></div>')
                 % (bars[0].label, bars[-1].label))
    return Markup("").join(parts)
