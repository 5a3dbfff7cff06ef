"""What a finished calibration writes: the posterior folder and its HTML report.

``<calibration>/posterior/`` is written all at once (``atomic.atomic_directory``):

    posterior.parquet   the weighted ensemble, provenance in its metadata
    parameters.csv      prior and posterior median and 90% interval per parameter
    targets.csv         observed value, error model and posterior predictive per target
    predictive.csv      posterior predictive median and 90% band per target and year
    diagnostics.json    screening effects, waves, emulators, effective sample size
    figures/*.svg       marginals, pairs, predictive bands, waves
    report.html         all of it on one self-contained page (figures inline)
    manifest.json       provenance and the resolved calibration (scenario, seed, priors, targets)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countysim.atomic import atomic_directory
from countysim.experiments import calibration_figures as figures
from countysim.experiments.calibration import CalibrationPlan
from countysim.experiments.calibration_posterior import (
    BAND,
    parameter_summary,
    weighted_quantiles,
    write_posterior,
)
from countysim.experiments.calibration_run import CalibrationState, effective_sample_size
from countysim.experiments.calibration_stages import set_of_point
from countysim.experiments.calibration_targets import ratio_series
from countysim.experiments.store import SweepStore
from countysim.provenance import environment
from countysim.reports.html import esc, figure_section, html_table, page, section

POSTERIOR_FOLDER = "posterior"


def provenance(plan: CalibrationPlan, directory: Path) -> dict[str, Any]:
    spec = plan.spec
    data_files = [spec.scenario] + ([spec.statistics_file] if spec.statistics_file else [])
    if plan.panel is not None:
        data_files += list(plan.panel.files)
    return {
        **environment(),
        "calibration": plan.name,
        "calibration_file": str(plan.source),
        "calibration_hash": plan.config_hash,
        "calibration_folder": str(directory),
        "data_files": data_files,
        "parameters": plan.names,
        "targets": list(plan.targets),
    }


def predictive_bands(
    plan: CalibrationPlan, state: CalibrationState, directory: Path
) -> pd.DataFrame:
    """Weighted 5/50/95% of every target's model quantity per year over the ensemble's runs
    (each run weighted by its set's weight, shared among the set's replicates)."""
    series = SweepStore.open(directory / "stages" / "ensemble").series()
    series["point"] = set_of_point(plan, series["point"])
    set_weight = state.ensemble.set_index("point")["weight"]
    runs_per_set = series.groupby("point")["run_id"].nunique()
    first_rows = series.groupby("run_id")["point"].first()
    run_weight = (set_weight / runs_per_set).reindex(first_rows.to_numpy()).to_numpy()
    weights = pd.Series(run_weight, index=first_rows.index)
    rows = []
    for name, target in yearly_targets(state).items():
        values = (
            pd.concat(
                {run: ratio_series(rows_, target.model) for run, rows_ in series.groupby("run_id")},
                names=["run_id", "year"],
            )
            .rename("value")
            .reset_index()
        )
        values["weight"] = weights.reindex(values["run_id"]).to_numpy()
        for year, group in values.groupby("year"):
            p05, p50, p95 = weighted_quantiles(group["value"], group["weight"], BAND)
            rows.append({"target": name, "year": int(year), "p05": p05, "p50": p50, "p95": p95})
    return pd.DataFrame(rows)


def observed_series(state: CalibrationState, directory: Path) -> dict[str, pd.DataFrame]:
    """The data shown against each target's band: the statistics' yearly values, or for
    synthetic data the model's own series at the true values."""
    if "synthetic" not in state.runs:
        return {name: target.data for name, target in yearly_targets(state).items()}
    series = SweepStore.open(directory / "stages" / "synthetic").series()
    shown = {}
    for name, target in yearly_targets(state).items():
        per_run = [ratio_series(rows, target.model) for _, rows in series.groupby("run_id")]
        mean = pd.concat(per_run, axis=1).mean(axis=1)
        shown[name] = pd.DataFrame({"year": mean.index, "value": mean.to_numpy()})
    return shown


def yearly_targets(state: CalibrationState) -> dict:
    """The targets with a yearly model series (panel targets have none to plot)."""
    return {name: t for name, t in state.targets.items() if t.model is not None}


def target_summary(state: CalibrationState) -> pd.DataFrame:
    ensemble = state.ensemble
    rows = []
    for name, target in state.targets.items():
        p05, p50, p95 = weighted_quantiles(ensemble[name], ensemble["weight"], BAND)
        rows.append(
            {
                "target": name,
                "statistic": target.statistic,
                "years": f"{min(target.years)}-{max(target.years)}",
                "observed": target.observed,
                "sd": target.sd,
                "tolerance": target.tolerance,
                "posterior_p05": p05,
                "posterior_p50": p50,
                "posterior_p95": p95,
                "source": target.source,
            }
        )
    return pd.DataFrame(rows)


def write_outputs(plan: CalibrationPlan, state: CalibrationState, directory: Path) -> Path:
    """Write ``<directory>/posterior`` (replacing an earlier one) and return its path."""
    truth = plan.spec.synthetic.parameters if plan.spec.synthetic is not None else None
    columns = ["point", *plan.names, *plan.targets, "runs_ok", "log_likelihood", "weight"]
    posterior = state.ensemble[columns].rename(columns={"point": "set"})
    parameters = parameter_summary(posterior, plan.priors, truth)
    targets = target_summary(state)
    bands = predictive_bands(plan, state, directory)
    ess = effective_sample_size(posterior["weight"].to_numpy())
    diagnostics = {
        "effective_sample_size": ess,
        "active_parameters": state.active,
        "waves": state.wave_log,
        "screening": None if state.screening is None else state.screening.to_dict("records"),
    }
    info = provenance(plan, directory) | {"effective_sample_size": ess}
    svgs = {
        "marginals": figures.marginals(posterior, plan.priors, truth),
        "pairs": figures.pairs(posterior, plan.priors, truth),
        "predictive": figures.predictive(
            bands,
            observed_series(state, directory),
            {
                name: f"{name} ({t.statistic} {min(t.years)}-{max(t.years)})"
                for name, t in yearly_targets(state).items()
            },
        ),
        "waves": figures.waves(state.wave_log),
    }
    target = directory / POSTERIOR_FOLDER
    with atomic_directory(target, overwrite=True) as tmp:
        write_posterior(tmp / "posterior.parquet", posterior, info)
        parameters.to_csv(tmp / "parameters.csv", index=False)
        targets.to_csv(tmp / "targets.csv", index=False)
        bands.to_csv(tmp / "predictive.csv", index=False)
        (tmp / "diagnostics.json").write_text(
            json.dumps(diagnostics, indent=1, default=str) + "\n", encoding="utf-8"
        )
        (tmp / "figures").mkdir()
        for name, svg in svgs.items():
            (tmp / "figures" / f"{name}.svg").write_text(svg, encoding="utf-8")
        html = render(plan, parameters, targets, state, ess, svgs, info)
        (tmp / "report.html").write_text(html, encoding="utf-8")
        # The resolved calibration (scenario with its seed, priors, targets, budget) too.
        full = info | {"config": plan.config}
        (tmp / "manifest.json").write_text(json.dumps(full, indent=1, default=str) + "\n")
    return target


def _cells(values: list[object]) -> str:
    def show(value: object) -> str:
        if value is None:
            return "–"
        if isinstance(value, float):
            return "–" if not np.isfinite(value) else f"{value:.4g}"
        return esc(value)

    return "<tr>" + "".join(f"<td>{show(v)}</td>" for v in values) + "</tr>"


def _coverage(coverage: dict[str, float] | None) -> str:
    """Each target's share of the next wave's runs within 3 predictive sds, as percentages."""
    if not coverage:
        return "–"
    return "; ".join(f"{target} {share:.0%}" for target, share in coverage.items())


def _table(frame: pd.DataFrame) -> str:
    header = [[(column, 1, "") for column in frame.columns]]
    return html_table(header, (_cells(list(row)) for row in frame.itertuples(index=False)))


def render(
    plan: CalibrationPlan,
    parameters: pd.DataFrame,
    targets: pd.DataFrame,
    state: CalibrationState,
    ess: float,
    svgs: dict[str, str],
    info: dict[str, Any],
) -> str:
    """The calibration report: one HTML page, figures inline."""
    synthetic = plan.spec.synthetic is not None
    intro = (
        f"<p>{esc(plan.spec.description)}</p><p>Posterior: {len(state.ensemble)} parameter "
        f"sets from the final non-implausible region, weighted by the likelihood of the "
        f"targets; effective sample size {ess:.0f}. Active parameters after screening: "
        f"{esc(', '.join(state.active))}.</p>"
        + (
            "<p>The data are synthetic: made by the model at known parameter values, which "
            "the posterior should cover.</p>"
            if synthetic
            else ""
        )
    )
    waves = pd.DataFrame(
        [
            {
                "wave": e["wave"],
                "runs": e["runs"],
                "non-implausible share": e["non_implausible"],
                "emulator coverage (3 sd)": _coverage(e.get("emulator_coverage")),
            }
            for e in state.wave_log
        ]
    )
    sections = [
        section("summary", "Summary", intro),
        section("parameters", "Parameters", _table(parameters)),
        section("targets", "Targets", _table(targets)),
        section("waves", "History matching", _table(waves)),
    ]
    if state.screening is not None:
        columns = ["output", "parameter", "mu_star", "mu_star_in_sd", "sigma"]
        sections.append(
            section("screening", "Screening (Morris)", _table(state.screening[columns]))
        )
    captions = {
        "marginals": "Posterior marginals (blue) against the prior (grey); red: true value.",
        "pairs": "Ensemble parameter sets by pairs, darker with more weight.",
        "predictive": "Posterior predictive median and 90% band by year, with the data.",
        "waves": "Share of prior draws not ruled out before each design.",
    }
    sections.append(figure_section("figures", "Figures", svgs, captions))
    provenance_rows = (
        f"<tr><th>{esc(k)}</th><td><code>{esc(v)}</code></td></tr>" for k, v in info.items()
    )
    sections.append(section("provenance", "Provenance", html_table([], provenance_rows)))
    return page(
        f"Calibration {plan.name}", sections, note=f"calibration hash {plan.config_hash[:12]}"
    )
