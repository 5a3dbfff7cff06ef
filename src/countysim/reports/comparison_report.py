"""The report of a comparison (`countysim.compare.Comparison`): the scenarios, their policy
levers over time, the outcomes on shared axes, the differences to the reference at chosen
years, and the provenance of every scenario, as one self-contained HTML page."""

from __future__ import annotations

import math
import tempfile
from collections.abc import Sequence
from pathlib import Path

from countysim.figures.reference import STATISTICS_SOURCE
from countysim.provenance import footer
from countysim.reports.html import esc, html_table, inline_svg, page, provenance_section, section
from countysim.reports.levers import lever_section

#: How a difference in each unit of the comparison's indicators is written: the factor
#: applied to the county-table value and the unit shown.
_DIFFERENCE_UNITS = {
    100: "percentage points",
    1: "",
    1e-3: "thousand persons",
}


#: Decimals of a difference by the factor of its indicator: percentage points to one
#: decimal, ratios and thousands of persons to two.
_DECIMALS = {100: 1, 1: 2, 1e-3: 2}


def _indicator_meta(indicators) -> dict[str, tuple[str, str, float]]:
    """Column -> (title, unit of a difference, factor)."""
    meta = {}
    for col, title, unit, factor in indicators:
        diff_unit = _DIFFERENCE_UNITS.get(factor, "")
        meta[col] = (title, diff_unit or unit, factor)
    return meta


def _signed(value: float, decimals: int) -> str:
    if not math.isfinite(value):
        return "–"
    rounded = round(value, decimals) + 0.0  # never -0.0
    return f"{rounded:+,.{decimals}f}".replace("-", "−")


def _difference_cell(row, factor: float, intervals: bool) -> str:
    decimals = _DECIMALS.get(factor, 2)
    text = _signed(row["mean"] * factor, decimals)
    if intervals:
        low, high = (_signed(row[q] * factor, decimals) for q in ("p05", "p95"))
        text += f' <span class="interval">[{low}, {high}]</span>'
    return f'<td class="num">{text}</td>'


def differences_text(
    comparison,
    years: Sequence[int] | None = None,
    *,
    indicators: Sequence[tuple[str, str, str, float]],
) -> str:
    """The differences to the reference as a plain-text table for the terminal: one row per
    scenario and indicator (readable labels, the unit of a difference), one column per year;
    the 5-95% interval over replicates only when there are several replicates."""
    meta = _indicator_meta(indicators)
    intervals = len(comparison.seeds) > 1
    diff = comparison.differences(years)
    year_list = sorted(int(y) for y in diff.year.unique())
    rows = [["scenario", "indicator", "unit", *map(str, year_list)]]
    for (name, indicator), group in diff.groupby(["scenario", "indicator"], sort=False):
        title, unit, factor = meta.get(indicator, (indicator, "", 1.0))
        decimals = _DECIMALS.get(factor, 2)
        by_year = group.set_index("year")
        cells = []
        for y in year_list:
            row = by_year.loc[y]
            text = _signed(row["mean"] * factor, decimals)
            if intervals:
                low, high = (_signed(row[q] * factor, decimals) for q in ("p05", "p95"))
                text += f" [{low}, {high}]"
            cells.append(text)
        rows.append([name, title, unit, *cells])
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            cell.ljust(w) if i < 3 else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()
        for row in rows
    ]
    note = "mean [5%, 95%] over replicates" if intervals else "one replicate: no interval"
    return "\n".join([f"Differences to {comparison.names[0]} ({note}):", *lines])


def render_comparison(
    comparison,
    years: Sequence[int] | None = None,
    *,
    indicators: Sequence[tuple[str, str, str, float]],
) -> str:
    """The HTML page of a comparison. ``indicators`` are the comparison's ``(column,
    title, unit, factor)`` (:data:`countysim.compare.INDICATORS`); intervals (5-95% over
    replicates) are shown only when there are several replicates."""
    meta = _indicator_meta(indicators)
    n_runs = len(comparison.seeds)
    scenarios = {sc.name: sc for sc in comparison.scenarios}
    rows = (
        f"<tr><th>{esc(name)}</th><td>{esc(sc.description.strip())}</td>"
        f"<td>{sc.years.start}–{sc.years.end}</td><td>{sc.simulation.scale}</td></tr>"
        for name, sc in scenarios.items()
    )
    seeds = ", ".join(str(s) for s in comparison.seeds)
    summary = html_table(
        [[("Scenario", 1, ""), ("Description", 1, ""), ("Years", 1, ""), ("Scale", 1, "num")]],
        rows,
    )
    summary += (
        f'<p class="note">{n_runs} replicate{"s" * (n_runs > 1)} per scenario with the same '
        f"seed{'s' * (n_runs > 1)} in every scenario: {esc(seeds)}. The first scenario, "
        f"{esc(comparison.names[0])}, is the reference"
        + (
            ", and its run is the one <code>countysim run</code> makes with this seed."
            if n_runs == 1
            else "."
        )
        + "</p>"
    )
    first_runs = comparison.table[
        comparison.table["replicate"] == comparison.table["replicate"].min()
    ]
    levers = lever_section(
        comparison.names, [first_runs[first_runs["scenario"] == n] for n in comparison.names]
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "comparison.svg"
        comparison.plot().savefig(path, format="svg")
        figure = inline_svg(path.read_text(encoding="utf-8"), "c1-", "Scenarios compared")
    band = "; bands span 5-95% over the replicates" if n_runs > 1 else ""
    figures = section(
        "comparison",
        "Outcomes on shared axes",
        f'<figure class="wide">{figure}<figcaption><b>Figure 1.</b> Each panel shows one '
        f"outcome for every scenario{band}. Open diamonds: national statistics to 2019 "
        f"(<code>{STATISTICS_SOURCE}</code>), "
        "for reference only: national resident and hukou urbanization count the whole "
        "country's towns and cities, a different concept from the county's in-county "
        "urbanization; the national ratio is the household survey's, and the far share "
        "is the monitoring survey's cross-province share of out-migrant workers."
        "</figcaption></figure>",
    )
    diff = comparison.differences(years)
    year_list = sorted(int(y) for y in diff.year.unique())
    header = [
        [("Scenario", 1, ""), ("Indicator", 1, ""), ("Unit", 1, "")]
        + [(str(y), 1, "num") for y in year_list]
    ]
    body = []
    for (name, indicator), group in diff.groupby(["scenario", "indicator"], sort=False):
        title, unit, factor = meta.get(indicator, (indicator, "", 1.0))
        by_year = group.set_index("year")
        cells = "".join(_difference_cell(by_year.loc[y], factor, n_runs > 1) for y in year_list)
        body.append(
            f"<tr><th>{esc(name)}</th><td>{esc(title)}</td>"
            f'<td class="unit">{esc(unit)}</td>{cells}</tr>'
        )
    interval_note = (
        " Mean over replicates [5%, 95%]: replicate r of each scenario is paired with replicate "
        "r of the reference."
        if n_runs > 1
        else " One replicate: no interval can be given."
    )
    differences = section(
        "differences",
        f"Differences to {comparison.names[0]}",
        html_table(header, body)
        + f'<p class="note">Scenario minus reference.{interval_note} Shares are in '
        "percentage points.</p>",
    )
    manifests = comparison.manifests()
    return page(
        f"countysim comparison: {', '.join(comparison.names)}",
        [
            section("scenarios", "Scenarios", summary),
            levers,
            figures,
            differences,
            provenance_section(manifests),
        ],
        note=footer(manifests[0]),
    )
