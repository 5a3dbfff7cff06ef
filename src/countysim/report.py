"""A self-contained HTML report of a run.

The report is one HTML file: figures are inline SVG, the style sheet is inline, and the
page holds no URL of any kind (no ``http``/``https`` anywhere: the namespace declarations
and metadata matplotlib writes into SVG files are removed), so it renders offline and can
be mailed or archived as it is. It shows the scenario, the headline indicators at chosen
years, beta convergence, the run figures of :mod:`countysim.plots`, the analysis figures of
:mod:`countysim.analysis_plots` and the provenance of the run.

The sections are built by functions that take a *list* of runs (``summary_section``,
``indicator_section``, ``beta_section``, ``provenance_section``), so that a report
comparing runs can reuse them; :func:`render_report` assembles the page of one run and
:func:`write_report` writes it as ``report.html``.
"""

from __future__ import annotations

import html
import math
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from countysim import plots
from countysim.analysis import Analysis
from countysim.analysis_plots import save_analysis_figures
from countysim.config import dump_yaml
from countysim.provenance import footer
from countysim.results import Results

__all__ = [
    "REPORT_NAME",
    "beta_section",
    "figure_section",
    "indicator_section",
    "inline_svg",
    "page",
    "provenance_section",
    "render_report",
    "summary_section",
    "write_report",
]

REPORT_NAME = "report.html"

#: Captions of the figures, by file name (the run figures of plots.py, then the analysis).
CAPTIONS: dict[str, str] = {
    "population": "Residents of the county town, the township seats and the villages, and "
    "people from the county living in outside cities.",
    "urbanization": "Resident urbanization (share living in the county town or a township "
    "seat) and registered urbanization (share holding an urban hukou).",
    "income": "Urban and rural disposable income per person and their ratio.",
    "migration": "Persons moving between levels each year.",
    "map": "The county in the last year: marker area shows residents, colour income per person.",
    "sigma": "Sigma convergence: standard deviation of log income per person across county "
    "places and across villages (solid), and the coefficient of variation (dashed).",
    "beta": "Beta convergence: average annual growth of income per person against its "
    "initial log, one point per place, with least-squares lines; a negative β means "
    "poorer places grew faster.",
    "theil": "Theil T index of county residents split into the part between and the part "
    "within urban and rural residents (left) and urban and rural hukou holders (right).",
    "flows": "Moves between levels, mean persons per year over the run; ribbons are "
    "coloured by origin.",
    "net_migration_map": "Net migration per place over the run, per 1,000 residents per "
    "year: blue places gained people by migration, red places lost them.",
    "migrant_destinations": "Where migrant workers (rural hukou, non-farm work) work, "
    "from the home township to outside the province, and the local share.",
    "migrant_ages": "Age profile of migration: persons moving per year and returns to the "
    "household home (left); local and out-migrant workers and the local share (right).",
}

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
"""


# ------------------------------------------------------------------------ helpers


def _e(value: object) -> str:
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


def _fmt(value: float, unit: str) -> str:
    """A number formatted for its unit; other units get 4 significant digits, undefined
    values a dash. Values that round to zero print as 0, never as -0."""
    if value is None or not math.isfinite(value):
        return "–"
    if unit not in _UNIT_FORMATS:
        return f"{value:.4g}"
    factor, decimals, suffix = _UNIT_FORMATS[unit]
    rounded = round(factor * value, decimals) + 0.0  # -0.0 + 0.0 is +0.0
    return f"{rounded:,.{decimals}f}{suffix}"


def _table(header: Sequence[Sequence[tuple[str, int, str]]], rows: Iterable[str]) -> str:
    """A table from header rows of (text, colspan, css class) and ready-made body rows."""
    head = "".join(
        "<tr>"
        + "".join(
            f'<th colspan="{span}" class="{cls}">{_e(text)}</th>'
            if span > 1
            else f'<th class="{cls}">{_e(text)}</th>'
            for text, span, cls in row
        )
        + "</tr>"
        for row in header
    )
    return f"<table><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def _run_name(results: Results) -> str:
    return str(results.manifest["scenario_name"])


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


# ------------------------------------------------------------------------ figures


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
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_e(label)}" ', 1).strip()


def _svg_files(paths: Iterable[Path]) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


def run_figures_svg(results: Results) -> dict[str, str]:
    """The run figures of :func:`countysim.plots.save_run_figures`, as SVG text by name."""
    with tempfile.TemporaryDirectory() as tmp:
        r = results
        paths = plots.save_run_figures(r.county, r.flows, r.places, r.world, tmp, ("svg",))
        return _svg_files(paths)


def analysis_figures_svg(analysis: Analysis) -> dict[str, str]:
    """The analysis figures of :func:`countysim.analysis_plots.save_analysis_figures`, as
    SVG text by name."""
    with tempfile.TemporaryDirectory() as tmp:
        return _svg_files(save_analysis_figures(analysis, tmp, ("svg",), provenance=False))


def figure_section(anchor: str, title: str, figures: dict[str, str], start: int = 1) -> str:
    """A section of numbered figures (inline SVG with captions from :data:`CAPTIONS`);
    each ``<figure>`` has the id ``fig-<name>``. Two-panel figures span the full width."""
    items = []
    for number, (name, svg) in enumerate(figures.items(), start=start):
        caption = CAPTIONS.get(name, name)
        wide = ' class="wide"' if name in ("theil", "migrant_ages", "flows") else ""
        items.append(
            f'<figure id="fig-{_e(name)}"{wide}>{inline_svg(svg, f"f{number}-", caption)}'
            f"<figcaption><b>Figure {number}.</b> {_e(caption)}</figcaption></figure>"
        )
    return _section(anchor, title, f'<div class="figures">{"".join(items)}</div>')


# ------------------------------------------------------------------------ sections


def summary_section(runs: Sequence[Results]) -> str:
    """The scenario of each run: description, years, places by level, population, scale,
    seed (one column per run)."""
    facts: list[tuple[str, list[str]]] = []

    def fact(label: str, values: Iterable[object]) -> None:
        facts.append((label, [_e(v) for v in values]))

    scenarios = [r.manifest["scenario"] for r in runs]
    fact("Scenario", (s["name"] for s in scenarios))
    fact("Description", (s.get("description", "").strip() or "–" for s in scenarios))
    fact(
        "Years",
        (
            f"{s['years']['start']}–{s['years']['end']} "
            f"(after {s['simulation']['spinup_years']} spin-up years)"
            for s in scenarios
        ),
    )
    level_names = (
        ("county_town", "county town", "county towns"),
        ("township", "township seat", "township seats"),
        ("village", "village", "villages"),
        ("city", "outside city", "outside cities"),
    )

    def places(world) -> str:
        counts = world["level"].value_counts()
        return ", ".join(
            f"{counts.get(level, 0)} {one if counts.get(level, 0) == 1 else many}"
            for level, one, many in level_names
        )

    fact("Places", (places(r.world) for r in runs))
    first = [r.county.sort_values("year").iloc[0] for r in runs]
    last = [r.county.sort_values("year").iloc[-1] for r in runs]
    fact(
        "Registered population (hukou in the county)",
        (f"{c['registered_total']:,.0f} in {int(c['year'])}" for c in first),
    )
    fact(
        "Residents of the county",
        (
            f"{a['residents_county']:,.0f} in {int(a['year'])}, "
            f"{b['residents_county']:,.0f} in {int(b['year'])}"
            for a, b in zip(first, last, strict=True)
        ),
    )
    fact("Persons per simulated row (scale)", (s["simulation"]["scale"] for s in scenarios))
    fact("Seed", (s["seed"] for s in scenarios))
    header = [[("", 1, "")] + [(_run_name(r), 1, "") for r in runs]] if len(runs) > 1 else []
    rows = (
        f"<tr><th>{_e(label)}</th>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
        for label, values in facts
    )
    return _section("scenario", "Scenario", _table(header, rows))


def indicator_section(runs: Sequence[Results], years: Sequence[int] | None = None) -> str:
    """Headline indicators (:data:`countysim.analysis.INDICATORS`) at ``years`` (default:
    each run's first, middle and last year), one column per run and year."""
    tables = [Analysis(r).indicators(years) for r in runs]
    year_cols = [[c for c in t.columns if isinstance(c, int)] for t in tables]
    header: list[list[tuple[str, int, str]]] = []
    if len(runs) > 1:
        header.append(
            [("", 1, ""), ("", 1, "")]
            + [(_run_name(r), len(cols), "num") for r, cols in zip(runs, year_cols, strict=True)]
        )
    header.append(
        [("Indicator", 1, ""), ("Unit", 1, "")]
        + [(str(y), 1, "num") for cols in year_cols for y in cols]
    )
    units = {"share": "%", "yuan": "yuan/person/year"}
    rows = []
    for i, (key, label, unit) in enumerate(tables[0][["indicator", "label", "unit"]].values):
        cells = "".join(
            f'<td class="num">{_fmt(float(t.at[i, y]), unit)}</td>'
            for t, cols in zip(tables, year_cols, strict=True)
            for y in cols
        )
        rows.append(
            f'<tr id="ind-{_e(key)}"><th>{_e(label)}</th>'
            f'<td class="unit">{_e(units.get(unit, unit))}</td>{cells}</tr>'
        )
    note = (
        '<p class="note">Residents and incomes are of people living in the county; migrant '
        "workers are rural-hukou persons in non-farm work, local if they work in their home "
        "township. Definitions: <code>countysim.recorder</code> and "
        "<code>countysim.analysis</code>.</p>"
    )
    return _section("indicators", "Headline indicators", _table(header, rows) + note)


def beta_section(runs: Sequence[Results]) -> str:
    """Beta convergence across places over each whole run, for all county places and for
    villages: β, its standard error, R², n, the speed of convergence and the half-life."""
    run_column = [("Run", 1, "")] if len(runs) > 1 else []
    header = [
        run_column
        + [
            ("Places", 1, ""),
            ("Window", 1, ""),
            ("β", 1, "num"),
            ("s.e.", 1, "num"),
            ("R²", 1, "num"),
            ("n", 1, "num"),
            ("Speed (% per year)", 1, "num"),
            ("Half-life (years)", 1, "num"),
        ]
    ]
    rows = []
    for r in runs:
        for _, b in Analysis(r).beta().iterrows():
            run = f"<td>{_e(_run_name(r))}</td>" if len(runs) > 1 else ""
            half = "∞" if b["half_life"] == math.inf else _fmt(b["half_life"], "years")
            rows.append(
                f"<tr>{run}<td>{_e('all county places' if b['group'] == 'county' else 'villages')}"
                f"</td><td>{b['start']}–{b['end']}</td>"
                f'<td class="num">{_fmt(b["beta"], "")}</td>'
                f'<td class="num">{_fmt(b["se"], "")}</td>'
                f'<td class="num">{_fmt(b["r2"], "index")}</td>'
                f'<td class="num">{b["n"]}</td>'
                f'<td class="num">{_fmt(100.0 * b["speed"], "ratio")}</td>'
                f'<td class="num">{half}</td></tr>'
            )
    note = (
        '<p class="note">Least squares of ln(y<sub>T</sub>/y<sub>0</sub>)/T on ln y<sub>0'
        "</sub> across places (each place counts once); speed λ = −ln(1 + βT)/T, half-life "
        "ln 2/λ. A positive β means no convergence (infinite half-life).</p>"
    )
    return _section("beta", "Beta convergence across places", _table(header, rows) + note)


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
        f"<tr><th>{_e(label)}</th>"
        + "".join(f"<td><code>{_e(m.get(key, '–'))}</code></td>" for m in manifests)
        + "</tr>"
        for key, label in fields
    )
    scenarios = "".join(
        f"<details><summary>Resolved scenario: {_e(name)}</summary>"
        f"<pre>{_e(_scenario_yaml(m['scenario']))}</pre></details>"
        for name, m in zip(names, manifests, strict=True)
    )
    return _section("provenance", "Provenance", _table(header, rows) + scenarios)


def page(title: str, sections: Iterable[str], note: str = "") -> str:
    """The HTML page around ready-made sections, with the inline style sheet; ``note`` is
    printed small under the title."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{_e(title)}</h1>"
        + (f'<p class="footer">{_e(note)}</p>' if note else "")
        + "</header>\n"
        + "\n".join(sections)
        + "\n</main>\n</body>\n</html>\n"
    )


# ------------------------------------------------------------------------- reports


def render_report(results: Results, years: Sequence[int] | None = None) -> str:
    """The HTML report of one run (see the module docstring); ``years`` are the columns
    of the indicator table (default: first, middle and last year)."""
    analysis = Analysis(results)
    if years is not None:
        analysis.indicators(years)  # check the years before drawing anything
    runs = [results]
    run_figures = run_figures_svg(results)
    scenario = results.manifest["scenario"]
    return page(
        f"countysim report: {scenario['name']}",
        [
            summary_section(runs),
            indicator_section(runs, years),
            beta_section(runs),
            figure_section("run-figures", "The run", run_figures),
            figure_section(
                "analysis-figures",
                "Convergence, inequality and migration",
                analysis_figures_svg(analysis),
                start=len(run_figures) + 1,
            ),
            provenance_section([r.manifest for r in runs]),
        ],
        note=footer(results.manifest),
    )


def write_report(
    source: Results | str | os.PathLike,
    out_dir: str | os.PathLike | None = None,
    *,
    years: Sequence[int] | None = None,
) -> Path:
    """Write :func:`render_report` as ``report.html`` and return its path.

    ``source`` is a :class:`Results` or a saved result directory (read with
    :meth:`Results.load`); ``out_dir`` defaults to that directory and is required for a
    :class:`Results`. The file is written next to its final name and renamed into place.
    """
    if isinstance(source, Results):
        if out_dir is None:
            raise ValueError("out_dir is required when the source is a Results object")
        results = source
    else:
        results = Results.load(source)
        out_dir = source if out_dir is None else out_dir
    text = render_report(results, years)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / REPORT_NAME
    tmp = path.with_name(f".{REPORT_NAME}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def render_comparison(comparison, years: Sequence[int] | None = None) -> str:
    """The HTML report of a comparison (`countysim.compare.Comparison`): the scenarios, the
    outcomes on shared axes, the differences to the reference at chosen years (mean and
    5-95% range over the replicates, which share their seeds across scenarios), and the
    provenance of every scenario."""
    scenarios = {sc.name: sc for sc in comparison.scenarios}
    rows = (
        f"<tr><th>{_e(name)}</th><td>{_e(sc.description.strip())}</td>"
        f"<td>{sc.years.start}–{sc.years.end}</td></tr>"
        for name, sc in scenarios.items()
    )
    seeds = ", ".join(str(s) for s in comparison.seeds)
    summary = _table([[("Scenario", 1, ""), ("Description", 1, ""), ("Years", 1, "")]], rows)
    summary += (
        f'<p class="note">{len(comparison.seeds)} replicate(s) per scenario with the same seeds '
        f"in every scenario: {_e(seeds)}. The first scenario is the reference.</p>"
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comparison.svg"
        comparison.plot().savefig(path, format="svg")
        figure = inline_svg(path.read_text(encoding="utf-8"), "c1-", "Scenarios compared")
    figures = _section(
        "comparison",
        "Outcomes on shared axes",
        f'<figure class="wide">{figure}<figcaption><b>Figure 1.</b> Each panel shows one '
        "outcome for every scenario; bands span 5-95% over the replicates.</figcaption></figure>",
    )
    diff = comparison.differences(years)
    year_list = sorted(diff.year.unique())
    header = [[("Scenario", 1, ""), ("Indicator", 1, "")] + [(str(y), 1, "num") for y in year_list]]
    body = []
    for (name, indicator), group in diff.groupby(["scenario", "indicator"], sort=False):
        cells = "".join(
            f'<td class="num">{r["mean"]:+.4g} [{r["p05"]:+.3g}, {r["p95"]:+.3g}]</td>'
            for _, r in group.set_index("year").loc[year_list].reset_index().iterrows()
        )
        body.append(f"<tr><th>{_e(name)}</th><td>{_e(indicator)}</td>{cells}</tr>")
    differences = _section(
        "differences",
        f"Differences to {comparison.names[0]}",
        _table(header, body)
        + '<p class="note">Scenario minus reference, replicate by replicate: mean '
        "[5%, 95%] over replicates. Shares are fractions (0.01 = one percentage point).</p>",
    )
    manifests = comparison.manifests()
    return page(
        f"countysim comparison: {', '.join(comparison.names)}",
        [
            _section("scenarios", "Scenarios", summary),
            figures,
            differences,
            provenance_section(manifests),
        ],
        note=footer(manifests[0]),
    )
