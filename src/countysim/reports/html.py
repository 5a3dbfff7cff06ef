"""The pieces of a self-contained HTML page: style sheet, escaping, number formats, tables,
sections, inline SVG figures, the provenance section and the page around them.

A page holds no URL of any kind (no ``http``/``https`` anywhere: the namespace
declarations and metadata matplotlib writes into SVG files are removed), so it renders
offline and can be mailed or archived as it is.
"""

from __future__ import annotations

import html
import math
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from countysim.config import dump_yaml

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial,
  sans-serif; color: #1a1a1a; background: #fafafa; margin: 0; line-height: 1.45; }
main { max-width: 1320px; margin: 0 auto; padding: 24px 32px 48px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 2px solid #0072B2;
  padding-bottom: 0.2em; }
p.note, p.footer { color: #555; font-size: 0.85em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.92em; }
th, td { padding: 4px 10px; border-bottom: 1px solid #ddd; vertical-align: top; }
th { text-align: left; background: #f0f4f8; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.unit { color: #666; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr));
  gap: 20px 28px; align-items: start; }
figure { margin: 0; }
figure.wide { grid-column: 1 / -1; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 0.88em; color: #333; margin-top: 4px; }
details { margin: 0.8em 0; }
summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f6f6; padding: 12px; overflow: auto; font-size: 0.82em;
  max-height: 40em; }
code { font-size: 0.92em; overflow-wrap: anywhere; }
.warning { background: #fff4e5; border-left: 4px solid #E69F00; padding: 4px 12px; }
span.interval { color: #666; font-size: 0.9em; }
div.scroll { overflow-x: auto; max-width: 100%; }
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


#: Per unit of ``countysim.analysis.INDICATORS``: factor, decimals and suffix for display.
_UNIT_FORMATS = {
    "persons": (1.0, 0, ""),
    "yuan": (1.0, 0, ""),
    "share": (100.0, 1, "%"),
    "ratio": (1.0, 2, ""),
    "index": (1.0, 3, ""),
    "years": (1.0, 1, ""),
}


def fmt_value(value: float, unit: str) -> str:
    """A number formatted for its unit; other units get 4 significant digits, undefined
    values a dash. Values that round to zero print as 0, never as -0."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit not in _UNIT_FORMATS:
        return f"{value:.4g}"
    factor, decimals, suffix = _UNIT_FORMATS[unit]
    rounded = round(factor * value, decimals) + 0.0  # -0.0 + 0.0 is +0.0
    return f"{rounded:,.{decimals}f}{suffix}"


def html_table(header: Sequence[Sequence[tuple[str, int, str]]], rows: Iterable[str]) -> str:
    """A table from header rows of (text, colspan, css class) and ready-made body rows."""
    head = "".join(
        "<tr>"
        + "".join(
            f'<th colspan="{span}" class="{cls}">{esc(text)}</th>'
            if span > 1
            else f'<th class="{cls}">{esc(text)}</th>'
            for text, span, cls in row
        )
        + "</tr>"
        for row in header
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{esc(title)}</h2>{body}</section>'


def _or_dash(value: object) -> object:
    """A manifest value for display: a dash where it is missing or null."""
    return "–" if value is None else value


_XML_PROLOGUE = re.compile(r"<\?xml[^>]*\?>|<!DOCTYPE[^>]*>|<metadata>.*?</metadata>", re.S)
_NAMESPACES = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')
_ID = re.compile(r'\bid="([^"]+)"')
_REFERENCE = re.compile(r'(href="#|url\(#)([^")]+)')


def inline_svg(svg: str, prefix: str, label: str) -> str:
    """An SVG file's text made fit to inline in HTML.

    Drops the XML prologue, DOCTYPE, metadata and namespace declarations (an HTML parser
    puts ``<svg>`` in the SVG namespace by itself), writes ``xlink:href`` as SVG 2
    ``href``, and prefixes every id and reference to it with ``prefix`` so that the ids of
    several figures on one page cannot collide. ``label`` becomes the accessible name.
    """
    svg = _NAMESPACES.sub("", _XML_PROLOGUE.sub("", svg)).replace("xlink:href=", "href=")
    ids = set(_ID.findall(svg))
    svg = _ID.sub(lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = _REFERENCE.sub(lambda m: f"{m[1]}{prefix}{m[2]}" if m[2] in ids else m[0], svg)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(label)}" ', 1).strip()


def figure_section(
    anchor: str,
    title: str,
    figures: dict[str, str],
    captions: dict[str, str],
    start: int = 1,
    wide: Iterable[str] = (),
) -> str:
    """A section of numbered figures (inline SVG with ``captions`` by name); each
    ``<figure>`` has the id ``fig-<name>``. Figures named in ``wide`` span the full width."""
    items = []
    for number, (name, svg) in enumerate(figures.items(), start=start):
        caption = captions.get(name, name)
        span = ' class="wide"' if name in wide else ""
        items.append(
            f'<figure id="fig-{esc(name)}"{span}>{inline_svg(svg, f"f{number}-", caption)}'
            f"<figcaption><b>Figure {number}.</b> {esc(caption)}</figcaption></figure>"
        )
    return section(anchor, title, f'<div class="figures">{"".join(items)}</div>')


def _scenario_yaml(resolved: dict) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scenario.yaml"
        dump_yaml(resolved, path)
        return path.read_text(encoding="utf-8")


def provenance_section(manifests: Sequence[dict]) -> str:
    """What produced each run (one manifest per run, see `countysim.provenance`): version,
    git commit, scenario hash, seed, start and run time, software versions, and the resolved
    scenario (collapsible)."""
    fields = (
        ("countysim_version", "countysim version"),
        ("git_commit", "Git commit"),
        ("scenario_hash", "Scenario hash (SHA-256)"),
        ("seed", "Seed"),
        ("started_utc", "Run started (UTC)"),
        ("run_seconds", "Run time (seconds)"),
        ("python", "Python"),
        ("numpy", "NumPy"),
        ("mesa", "Mesa"),
    )
    names = [str(m["scenario_name"]) for m in manifests]
    header = [[("", 1, "")] + [(name, 1, "") for name in names]] if len(manifests) > 1 else []
    rows = (
        f"<tr><th>{esc(label)}</th>"
        + "".join(f"<td><code>{esc(_or_dash(m.get(key)))}</code></td>" for m in manifests)
        + "</tr>"
        for key, label in fields
    )
    scenarios = "".join(
        f"<details><summary>Resolved scenario: {esc(name)}</summary>"
        f"<pre>{esc(_scenario_yaml(m['scenario']))}</pre></details>"
        for name, m in zip(names, manifests, strict=True)
    )
    return section("provenance", "Provenance", html_table(header, rows) + scenarios)


def page(title: str, sections: Iterable[str], note: str = "") -> str:
    """The HTML page around ready-made sections, with the inline style sheet; ``note`` is
    printed small under the title."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{esc(title)}</h1>"
        + (f'<p class="footer">{esc(note)}</p>' if note else "")
        + "</header>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )
