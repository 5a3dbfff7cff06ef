"""Comparing scenarios: the same seeds for every scenario, outcomes on shared axes.

Every scenario runs with the same replicate seeds (common random numbers), so differences
between scenarios are not blurred by different luck. With one replicate that seed is the
first scenario's own: the reference run is the run `countysim run` makes of it. With R
replicates, replicate r uses the seed derived from the first scenario's seed and r, the
seeds of `countysim run --replicates R`. The first scenario is the reference:
differences are each scenario minus it, replicate by replicate, then summarised as the
mean and the 5-95% range over replicates.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from countysim.atomic import atomic_directory, safe_folder_name
from countysim.config import Problem, ScenarioError, dump_yaml, resolved_dict
from countysim.config.schema import Scenario
from countysim.experiments.main_guard import serial_unless_guarded
from countysim.experiments.seeds import replicate_seed
from countysim.figures.comparison import plot_comparison
from countysim.figures.style import check_formats, write_figures
from countysim.provenance import environment, manifest
from countysim.runner import prepare, simulate

#: (county-table column, panel title, y-axis label, scale); columns a run lacks are skipped.
INDICATORS = (
    ("urbanization_resident", "Resident urbanization", "% of county residents", 100),
    ("urbanization_registered", "Registered (hukou) urbanization", "% of county residents", 100),
    ("income_ratio", "Urban-rural income ratio", "urban / rural per capita", 1),
    ("near_share", "Near migration", "% of out-migrant workers (county, prefecture)", 100),
    ("far_share", "Far migration", "% of out-migrant workers (other provinces)", 100),
    ("land_leased_share", "Leased land", "% of contracted land", 100),
    ("left_behind_children", "Left-behind children", "thousand children", 1e-3),
    ("idle_capacity_share", "Idle public-service capacity", "% of capacity", 100),
)


@dataclass
class Comparison:
    """County tables of several scenarios run with the same seeds.

    ``table`` has one row per scenario, replicate and year (the county table's columns
    plus ``scenario``, ``replicate``, ``seed`` and the derived near/far shares)."""

    table: pd.DataFrame
    scenarios: list[Scenario]
    seeds: list[int]
    seconds: float
    started: pd.Timestamp
    posterior: dict | None = None  # the posterior file and its parameter sets, if drawn

    @property
    def names(self) -> list[str]:
        return [sc.name for sc in self.scenarios]

    def summary(self) -> pd.DataFrame:
        """Mean, 5% and 95% quantiles over replicates, per scenario, year and indicator."""
        cols = [c for c, *_ in INDICATORS if c in self.table]
        grouped = self.table.groupby(["scenario", "year"], sort=False)[cols]
        out = pd.concat(
            {"mean": grouped.mean(), "p05": grouped.quantile(0.05), "p95": grouped.quantile(0.95)},
            axis=1,
        )
        return out.reset_index()

    def differences(self, years: Sequence[int] | None = None) -> pd.DataFrame:
        """Each scenario minus the first, replicate by replicate, at the chosen years:
        mean, 5% and 95% over replicates, one row per scenario, year and indicator."""
        years = list(years) if years else _default_years(self.table)
        check_years(self.scenarios, years)
        cols = [c for c, *_ in INDICATORS if c in self.table]
        t = self.table[self.table.year.isin(years)].set_index(["scenario", "replicate", "year"])
        reference = t.loc[self.names[0], cols]
        rows = []
        for name in self.names[1:]:
            diff = (t.loc[name, cols] - reference).reset_index()
            for (year,), group in diff.groupby(["year"]):
                for col in cols:
                    values = group[col].to_numpy()
                    rows.append(
                        {
                            "scenario": name,
                            "reference": self.names[0],
                            "year": year,
                            "indicator": col,
                            "mean": values.mean(),
                            "p05": np.quantile(values, 0.05),
                            "p95": np.quantile(values, 0.95),
                            "replicates": len(values),
                        }
                    )
        return pd.DataFrame(rows)

    def plot(self) -> Figure:
        """One panel per indicator, scenarios on shared axes; bands span 5-95% over seeds
        when there are several replicates (`countysim.figures.comparison`)."""
        return plot_comparison(self.table, self.names, INDICATORS)

    def manifests(self) -> list[dict]:
        """Provenance of every scenario (its resolved scenario, hash and the reference seed)."""
        return [
            manifest(resolved_dict(sc), seconds=self.seconds, started=self.started)
            for sc in self.scenarios
        ]

    def save(
        self,
        out_dir: str | os.PathLike,
        years: Sequence[int] | None = None,
        report: bool = True,
        *,
        overwrite: bool = False,
        formats: str | Sequence[str] = ("png",),
        dpi: int = 150,
    ) -> Path:
        """Write the tables, the figure, the resolved scenarios, a manifest and (unless
        `report` is false) report.html, atomically. An existing `out_dir` is replaced only if
        it holds earlier countysim results and `overwrite` is true (else
        `countysim.atomic.OutputExistsError`). The figure is written in each of `formats`
        (png, svg, pdf), raster formats at `dpi`."""
        formats = check_formats(formats)
        if years:
            check_years(self.scenarios, years)
        with atomic_directory(out_dir, overwrite=overwrite) as tmp:
            self.table.to_csv(tmp / "comparison.csv", index=False)
            self.summary().to_csv(tmp / "summary.csv", index=False)
            self.differences(years).to_csv(tmp / "differences.csv", index=False)
            write_figures({"comparison": self.plot()}, tmp, formats, dpi=dpi)
            for sc in self.scenarios:
                dump_yaml(resolved_dict(sc), tmp / f"scenario_{safe_folder_name(sc.name)}.yaml")
            info = {
                "countysim_version": environment()["countysim_version"],
                "reference": self.names[0],
                "replicate_seeds": self.seeds,
                "posterior": self.posterior,
                "run_seconds": round(self.seconds, 3),
                "scenarios": {m["scenario_name"]: m for m in self.manifests()},
            }
            (tmp / "manifest.json").write_text(json.dumps(info, indent=2) + "\n")
            if report:
                from countysim.reports import render_comparison

                html = render_comparison(self, years, indicators=INDICATORS)
                (tmp / "report.html").write_text(html, encoding="utf-8")
        return Path(out_dir)


def check_years(scenarios: Sequence[Scenario], years: Iterable[int]) -> None:
    """Raise ``ScenarioError`` for years of the differences table that some scenario does not
    simulate (they would have no rows to compare)."""
    first = max(sc.years.start for sc in scenarios)
    last = min(sc.years.end for sc in scenarios)
    outside = [year for year in years if not first <= year <= last]
    if outside:
        message = f"outside the years every scenario simulates; allowed: {first} to {last}"
        raise ScenarioError([Problem(None, None, "--years", outside, message)], "comparison")


def _check_names(scenarios: Sequence[str | os.PathLike | Scenario], names: list[str]) -> None:
    """Refuse scenarios that share a name: tables, figures and files are keyed by it."""
    problems = []
    for index, name in enumerate(names):
        first = names.index(name)
        if first != index:
            source = scenarios[index]
            where = None if isinstance(source, Scenario) else os.fspath(source)
            other = scenarios[first]
            other = other.name if isinstance(other, Scenario) else os.fspath(other)
            message = (
                f"scenario name {name!r} is also the name of {other}; scenarios compared "
                "must have different names (change `name:` in one of them)"
            )
            problems.append(Problem(where, None, "name", name, message))
    if problems:
        raise ScenarioError(problems, "comparison")


def comparison_seeds(seed: int, replicates: int) -> list[int]:
    """The seeds of a comparison's replicates: the scenario's own seed for a single
    replicate (as `countysim run`), else those of `countysim run --replicates` (common
    streams)."""
    if replicates == 1:
        return [seed]
    return [replicate_seed(seed, r) for r in range(replicates)]


def _default_years(table: pd.DataFrame) -> list[int]:
    years = sorted(table.year.unique())
    return sorted({years[0], years[len(years) // 2], years[-1]})


def _one_run(args: tuple[Scenario, int, int]) -> pd.DataFrame:
    scenario, replicate, seed = args
    county = simulate(scenario.model_copy(update={"seed": seed})).county
    out_workers = county[["migrants_near", "migrants_province", "migrants_far"]].sum(axis=1)
    county = county.assign(
        scenario=scenario.name,
        replicate=replicate,
        seed=seed,
        near_share=county.migrants_near / out_workers.where(out_workers > 0),
        far_share=county.migrants_far / out_workers.where(out_workers > 0),
    )
    return county


def compare(
    scenarios: Iterable[str | os.PathLike | Scenario],
    *,
    replicates: int = 1,
    overrides: Sequence[str] | Mapping[str, object] = (),
    workers: int = 1,
    years: Sequence[int] | None = None,
    progress: bool = False,
    posterior: str | os.PathLike | None = None,
) -> Comparison:
    """Run every scenario with the same replicate seeds (derived from the first scenario's
    seed) and collect their county tables. `overrides` apply to every scenario file;
    `years`, if given, are checked against the simulated years before anything runs.

    Called from the top level of a script without an ``if __name__ == "__main__":`` guard,
    it runs in this process whatever `workers` says (worker processes would re-run the
    script).

    With a calibration `posterior` (posterior.parquet), replicate r of every scenario also
    uses parameter set r drawn from it (the same sets for every scenario, as the seeds are),
    so the bands and differences carry parameter uncertainty as well as chance."""
    scenarios = list(scenarios)
    prepared = [prepare(s, overrides) if not isinstance(s, Scenario) else s for s in scenarios]
    if len(prepared) < 2:
        raise ValueError("compare needs at least two scenarios")
    if replicates < 1:
        raise ValueError(f"compare needs at least one replicate, got {replicates}")
    _check_names(scenarios, [sc.name for sc in prepared])
    if years:
        check_years(prepared, years)
    workers = serial_unless_guarded(workers, "compare") or 1
    started, t0 = pd.Timestamp.now("UTC"), time.perf_counter()
    seeds = comparison_seeds(prepared[0].seed, replicates)
    jobs = [(sc, r, seed) for r, seed in enumerate(seeds) for sc in prepared]
    drawn = None
    if posterior is not None:
        from countysim.experiments.calibration_posterior import posterior_draws
        from countysim.experiments.scenario_model import scenario_for

        sets, drawn = posterior_draws(
            posterior, replicates, prepared[0].seed, resolved_dict(prepared[0])
        )
        drawn["parameter_sets"] = sets
        jobs = [(scenario_for(resolved_dict(sc), sets[r]), r, seed) for sc, r, seed in jobs]
    bar = {"total": len(jobs), "desc": "compare", "unit": "run", "disable": not progress}
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            tables = list(tqdm(pool.map(_one_run, jobs), **bar))
    else:
        tables = [_one_run(job) for job in tqdm(jobs, **bar)]
    return Comparison(
        table=pd.concat(tables, ignore_index=True),
        scenarios=prepared,
        seeds=seeds,
        seconds=time.perf_counter() - t0,
        started=started,
        posterior=drawn,
    )
