"""The sections of a run's report: scenario, headline indicators, beta convergence and the
note on what the simulation's scale allows. Each takes a list of runs, so that a report
comparing runs can reuse them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from countysim.analysis import Analysis
from countysim.figures.reference import STATISTICS_SOURCE
from countysim.reports.html import esc, fmt_value, html_table, section
from countysim.results import Results

#: Captions of the figures, by file name (the run figures, then the analysis figures).
CAPTIONS: dict[str, str] = {
    "population": "Residents of the county town, the township seats and the villages, and "
    "people from the county living in outside cities.",
    "urbanization": "Resident urbanization (share of county residents living in the county "
    "town or a township seat) and registered urbanization (share holding an urban hukou); "
    "open diamonds: national resident (as published) and hukou urbanization, for reference "
    "only: the national rates count the whole country's towns and cities, a different concept "
    "from the county's in-county urbanization.",
    "income": (
        "Urban and rural disposable income per person of county residents in nominal yuan "
        "(left) and their ratio (right); open diamonds: national urban and rural income and "
        "ratio, for reference (the household survey, disposable-income basis from 2013)."
    ),
    "migration": "Persons moving between levels each year, one panel per destination, one "
    "line per origin (moves between villages left out).",
    "map": (
        "The county in the last year: marker area shows residents (the smallest villages "
        "drawn at a minimum size), colour income per person in nominal yuan."
    ),
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
    "migrant_destinations": "Where migrant workers (rural hukou, non-farm work) work, from "
    "the home township to outside the province (left), and the shares working locally and "
    "outside the province (right); open diamonds: the national migrant-worker monitoring "
    "survey, for reference (a national, not a county, mix of origins).",
    "migrant_ages": "Age profile of migration: persons moving per year and returns to the "
    "household home (left); local and out-migrant workers by age (right).",
}


def summary_section(runs: Sequence[Results]) -> str:
    """The scenario of each run: description, years, places by level, population, scale,
    seed (one column per run)."""
    facts: list[tuple[str, list[str]]] = []

    def fact(label: str, values: Iterable[object]) -> None:
        facts.append((label, [esc(v) for v in values]))

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
    fact(
        "National statistics drawn for reference",
        (f"{STATISTICS_SOURCE} (to 2019; for comparison, not fitted)" for _ in scenarios),
    )
    fact("Seed", (s["seed"] for s in scenarios))
    header = [[("", 1, "")] + [(run_name(r), 1, "") for r in runs]] if len(runs) > 1 else []
    rows = (
        f"<tr><th>{esc(label)}</th>" + "".join(f"<td>{v}</td>" for v in values) + "</tr>"
        for label, values in facts
    )
    return section("scenario", "Scenario", html_table(header, rows))


def indicator_section(runs: Sequence[Results], years: Sequence[int] | None = None) -> str:
    """Headline indicators (:data:`countysim.analysis.INDICATORS`) at ``years`` (default:
    each run's first, middle and last year), one column per run and year."""
    tables = [Analysis(r).indicators(years) for r in runs]
    year_cols = [[c for c in t.columns if isinstance(c, int)] for t in tables]
    header: list[list[tuple[str, int, str]]] = []
    if len(runs) > 1:
        header.append(
            [("", 1, ""), ("", 1, "")]
            + [(run_name(r), len(cols), "num") for r, cols in zip(runs, year_cols, strict=True)]
        )
    header.append(
        [("Indicator", 1, ""), ("Unit", 1, "")]
        + [(str(y), 1, "num") for cols in year_cols for y in cols]
    )
    units = {"share": "%", "yuan": "nominal yuan/person/year"}
    rows = []
    for i, (key, label, unit) in enumerate(tables[0][["indicator", "label", "unit"]].values):
        cells = "".join(
            f'<td class="num">{fmt_value(float(t.at[i, y]), unit)}</td>'
            for t, cols in zip(tables, year_cols, strict=True)
            for y in cols
        )
        rows.append(
            f'<tr id="ind-{esc(key)}"><th>{esc(label)}</th>'
            f'<td class="unit">{esc(units.get(unit, unit))}</td>{cells}</tr>'
        )
    note = (
        '<p class="note">Residents and incomes are of people living in the county; migrant '
        "workers are rural-hukou persons in non-farm work, local if they work in their home "
        "township; incomes are nominal yuan. Every column is defined in "
        "<code>docs/outputs.md</code>; the measures in <code>countysim.analysis</code>.</p>"
    )
    if any(Analysis(r).scale_warnings() for r in runs):
        note += (
            '<p class="note"><b>The sigma rows are not reliable at this scale</b> (see '
            '"Reliability at this scale" above).</p>'
        )
    return section("indicators", "Headline indicators", html_table(header, rows) + note)


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
            run = f"<td>{esc(run_name(r))}</td>" if len(runs) > 1 else ""
            half = "∞" if b["half_life"] == math.inf else fmt_value(b["half_life"], "years")
            rows.append(
                f"<tr>{run}<td>{esc('all county places' if b['group'] == 'county' else 'villages')}"
                f"</td><td>{b['start']}–{b['end']}</td>"
                f'<td class="num">{fmt_value(b["beta"], "")}</td>'
                f'<td class="num">{fmt_value(b["se"], "")}</td>'
                f'<td class="num">{fmt_value(b["r2"], "index")}</td>'
                f'<td class="num">{b["n"]}</td>'
                f'<td class="num">{fmt_value(100.0 * b["speed"], "ratio")}</td>'
                f'<td class="num">{half}</td></tr>'
            )
    note = (
        '<p class="note">Least squares of ln(y<sub>T</sub>/y<sub>0</sub>)/T on ln y<sub>0'
        "</sub> across places (each place counts once); speed λ = −ln(1 + βT)/T, half-life "
        "ln 2/λ. A positive β means no convergence (infinite half-life).</p>"
    )
    if any(Analysis(r).scale_warnings() for r in runs):
        note += (
            '<p class="note"><b>Not reliable at this scale</b> (see "Reliability at this '
            'scale" above): with few simulated persons per place, β and the half-life '
            "mix sampling noise into the spread of incomes across places.</p>"
        )
    return section("beta", "Beta convergence across places", html_table(header, rows) + note)


def run_name(results: Results) -> str:
    return str(results.manifest["scenario_name"])


def scale_section(runs: Sequence[Results]) -> str:
    """A warning, when a run's scale is too coarse for the place-level measures
    (:meth:`countysim.analysis.Analysis.scale_warnings`); empty otherwise."""
    warnings = [w for r in runs for w in Analysis(r).scale_warnings()]
    if not warnings:
        return ""
    items = "".join(f"<li>{esc(w)}</li>" for w in warnings)
    return section(
        "scale",
        "Reliability at this scale",
        f'<div class="warning"><ul>{items}</ul></div>'
        '<p class="note">County totals, shares and incomes average over every simulated row '
        "and hold at coarse scales; comparisons across places need enough rows per place.</p>",
    )
