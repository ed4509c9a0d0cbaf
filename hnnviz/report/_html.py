"""The report's HTML: its style sheet, the page skeleton and the fragments sections are made of.

Every helper here writes real HTML, so plain-text arguments (table cells, list items, captions, titles) pass
through :func:`html.escape` with its default ``quote=True``; :func:`paragraph` and :func:`note` take text that
is HTML already.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

__all__ = [
    "Figure",
    "Parts",
    "Section",
    "bullet_list",
    "note",
    "paragraph",
    "render_page",
    "table",
]

_PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


@dataclass(frozen=True)
class Figure:
    """A figure of the page and the sentence under it (plain text)."""

    figure: go.Figure
    caption: str


#: One section's content: HTML fragments and figures, in page order.
Parts = list[str | Figure]


@dataclass(frozen=True)
class Section:
    """One section of the page: its anchor, heading (plain text) and content."""

    anchor: str
    title: str
    parts: Parts


def paragraph(text: str) -> str:
    """A paragraph of text that is already HTML (escape user strings before)."""
    return f"<p>{text}</p>"


def note(text: str) -> str:
    """A highlighted note of text that is already HTML."""
    return f'<p class="note">{text}</p>'


def bullet_list(items: Iterable[str]) -> str:
    """A bulleted list of plain-text items, every one escaped."""
    return "<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, header: bool = True) -> str:
    """A table of plain-text cells, every one escaped; a cell reading "pass" or "fail" is marked as such."""

    def cell(text: str) -> str:
        mark = f' class="{text}"' if text in ("pass", "fail") else ""
        return f"<td{mark}>{html.escape(text)}</td>"

    head = "<thead><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr></thead>" if header else ""
    body = "".join("<tr>" + "".join(cell(str(c)) for c in row) + "</tr>" for row in rows)
    return f'<table class="{"data" if header else "facts"}">{head}<tbody>{body}</tbody></table>'


def _figure_html(item: Figure, number: int) -> str:
    div = item.figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"figure-{number}",
        config=_PLOTLY_CONFIG,
        default_width="100%",
    )
    return f'<figure class="plot">{div}<figcaption>{html.escape(item.caption)}</figcaption></figure>'


def render_page(title: str, sections: Sequence[Section]) -> str:
    """The whole document: a head with the inline CSS and plotly.js, the contents, then the sections."""
    numbers = iter(range(1, 1 + sum(isinstance(p, Figure) for s in sections for p in s.parts)))
    body = "".join(
        f'<section id="{s.anchor}"><h2>{html.escape(s.title)}</h2>'
        + "".join(_figure_html(p, next(numbers)) if isinstance(p, Figure) else p for p in s.parts)
        + "</section>"
        for s in sections
    )
    contents = "".join(f'<li><a href="#{s.anchor}">{html.escape(s.title)}</a></li>' for s in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style>\n"
        "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n"
        f'<script charset="utf-8">{get_plotlyjs()}</script>\n</head>\n<body>\n'
        f"<header><h1>{html.escape(title)}</h1></header>\n"
        f'<nav class="contents"><h2>Contents</h2><ol>{contents}</ol></nav>\n<main>{body}</main>\n</body>\n</html>\n'
    )


_CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #1d2430; background: #fff; line-height: 1.5; margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { font-size: 1.7rem; margin: 0 0 .5rem; }
h2 { font-size: 1.3rem; border-bottom: 2px solid #d8dee9; padding-bottom: .2rem; margin-top: 2.2rem; }
h3 { font-size: 1.05rem; margin: 1.4rem 0 .4rem; }
nav.contents { background: #f4f6fa; border: 1px solid #d8dee9; border-radius: 6px; padding: .5rem 1.2rem; }
nav.contents h2 { border: 0; margin: .3rem 0; font-size: 1.05rem; }
nav.contents ol { margin: .2rem 0 .5rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
th, td { border: 1px solid #d8dee9; padding: .25rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f6; }
table.facts td:first-child { font-weight: 600; background: #f7f8fb; }
td.pass { color: #17632a; font-weight: 600; }
td.fail { color: #a11d1d; font-weight: 600; }
p.note { background: #fff8e1; border-left: 4px solid #e0a800; padding: .5rem .8rem; }
code { background: #f1f3f7; padding: 0 .25rem; border-radius: 3px; }
figure.plot { margin: 1rem 0; }
figcaption { color: #4c5668; font-size: .9rem; }
@media print {
  body { max-width: none; padding: 0; }
  nav.contents { break-after: page; }
  figure.plot, table { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
"""
