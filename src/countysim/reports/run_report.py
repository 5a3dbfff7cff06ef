"""The report of a run: one self-contained HTML page (inline SVG figures and style, no
links) with the scenario, the policy levers over time, the headline indicators, beta
convergence, a warning where the scale is too coarse for place-level measures, the run and
analysis figures (:mod:`countysim.figures`) and the provenance; and writing a run's result
directory with its figures and report in one atomic step (:func:`save_run`)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from countysim.analysis import Analysis
from countysim.figures import run_figures, save_analysis_figures, write_figures
from countysim.figures.style import check_formats
from countysim.provenance import footer
from countysim.reports.html import figure_section, page, provenance_section
from countysim.reports.levers import lever_section
from countysim.reports.run_sections import (
    CAPTIONS,
    beta_section,
    indicator_section,
    run_name,
    scale_section,
    summary_section,
)
from countysim.results import Results

REPORT_NAME = "report.html"

#: Figures that span the page's width (two panels or many small ones).
WIDE_FIGURES = ("income", "migration", "theil", "migrant_ages", "flows", "migrant_destinations")


def _svg_files(paths) -> dict[str, str]:
    return {p.stem: p.read_text(encoding="utf-8") for p in paths}


def run_figures_svg(results: Results) -> dict[str, str]:
    """The run figures of :func:`countysim.figures.run_figures`, as SVG text by name."""
    with tempfile.TemporaryDirectory() as tmp:
        return _svg_files(write_figures(run_figures(results), tmp, ("svg",)))


def analysis_figures_svg(analysis: Analysis) -> dict[str, str]:
    """The analysis figures of :func:`countysim.figures.analysis_figures`, as SVG text by
    name."""
    with tempfile.TemporaryDirectory() as tmp:
        return _svg_files(save_analysis_figures(analysis, tmp, ("svg",), provenance=False))


def render_report(results: Results, years: Sequence[int] | None = None) -> str:
    """The HTML report of one run; ``years`` are the columns of the indicator table
    (default: first, middle and last year)."""
    analysis = Analysis(results)
    if years is not None:
        analysis.indicators(years)  # check the years before drawing anything
    runs = [results]
    figures = run_figures_svg(results)
    return page(
        f"countysim report: {run_name(results)}",
        [
            summary_section(runs),
            scale_section(runs),
            lever_section([run_name(results)], [results.county]),
            indicator_section(runs, years),
            beta_section(runs),
            figure_section("run-figures", "The run", figures, CAPTIONS, wide=WIDE_FIGURES),
            figure_section(
                "analysis-figures",
                "Convergence, inequality and migration",
                analysis_figures_svg(analysis),
                CAPTIONS,
                start=len(figures) + 1,
                wide=WIDE_FIGURES,
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


def save_run(
    results: Results,
    out_dir: str | os.PathLike,
    *,
    figures: bool = True,
    report: bool = True,
    formats: str | Sequence[str] = ("png",),
    dpi: int = 150,
    overwrite: bool = False,
) -> Path:
    """Save a run's tables, scenario and manifest (:meth:`Results.save`) with its figures
    (``figures/<name>.<format>``, raster formats at ``dpi``) and ``report.html``, all in one
    atomic write: a failure leaves no half-written directory. The report needs the
    figures (it draws the same ones inline); ``overwrite`` as in :meth:`Results.save`."""
    fmts = check_formats(formats)  # a bad format fails before anything runs or is written

    def add_figures_and_report(tmp: Path) -> None:
        if not figures:
            return
        note = footer(results.manifest)
        write_figures(run_figures(results), tmp / "figures", fmts, dpi=dpi, footer=note)
        if report:
            (tmp / REPORT_NAME).write_text(render_report(results, None), encoding="utf-8")

    return results.save(out_dir, overwrite=overwrite, extra=add_figures_and_report)
