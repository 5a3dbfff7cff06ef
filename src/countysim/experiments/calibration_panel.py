"""Panel targets of a calibration: scores of census counties run with each parameter set.

A ``panel`` target compares census counties (the file's ``panel`` section: a list of codes
or a seeded stratified draw of the calibration half) with the census ten years on. Every
parameter set of a stage then runs the scenario's own county and each panel county, so a
stage's design points are (parameter set, county) pairs: the scenario's own run has the
county parameter ``""``, a panel run the county's code (``expand_points``). Each run is
stored as it finishes, so a killed stage resumes county by county.

The panel's machinery does the work: ``panel.plan_panel`` checks the section (codes,
files, a probe run of the first county) and builds the county scenario; ``panel_model``
reads a run's quantities; ``panel_scores`` puts them and the census on the scoring scale.
Before emulation the county runs of a set are aggregated into one number per target
(``panel_statistics``): the mean over the panel's counties of the model's error in a
quantity's change since the first census (or its level in the second). Its observed value
is 0, no bias; its error model (sd or tolerance) says how large a mean error the spread of
counties and the census allow.

Panel counties draw common random numbers: county k's replicate r has the same seed for
every parameter set of a stage, so differences between sets are not drowned in the
counties' own chance.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from countysim.config import LineMap, Problem
from countysim.experiments.calibration_schema import CalibrationFile, TargetSpec
from countysim.experiments.calibration_targets import ErrorModel
from countysim.experiments.execution import RunOutput
from countysim.experiments.panel import PanelError, PanelPlan, plan_panel
from countysim.experiments.panel_model import county_overrides, quantity_values
from countysim.experiments.panel_quantities import SCORED
from countysim.experiments.panel_schema import PanelFile
from countysim.experiments.panel_scores import scored_values, start_end
from countysim.experiments.scenario_model import ScenarioModel, scenario_for
from countysim.runner import simulate

#: The design parameter naming a run's panel county ("" for the scenario's own county).
PANEL_COUNTY = "panel_county"


@dataclass(frozen=True, eq=False)
class PanelSetup:
    """A calibration's checked panel: the county scenario, the counties and their census
    values (``<quantity>_start`` in the first census, ``_end`` in the second, by code)."""

    base: dict[str, Any]
    codes: tuple[str, ...]
    start: int
    end: int
    census: pd.DataFrame
    files: tuple[str, ...]

    def describe(self) -> dict[str, Any]:
        return {
            "base_scenario": self.base,
            "codes": list(self.codes),
            "years": [self.start, self.end],
        }


@dataclass(frozen=True)
class PanelTarget(ErrorModel):
    """The mean error over the panel's counties of one quantity (its change since the first
    census, or its level in the second), compared with 0 under an error model. It has the
    interface of ``calibration_targets.Target`` that emulators and the posterior use; it has
    no yearly model series (``model`` is None)."""

    name: str
    quantity: str
    measure: str
    years: tuple[int, int]
    sd: float | None = None
    tolerance: float | None = None
    observed: float = 0.0
    kind: str = "panel"
    model: None = None

    @property
    def statistic(self) -> str:
        return f"mean error of {self.measure}"

    @property
    def source(self) -> str:
        return f"county panel: {self.quantity} ({self.measure}) against the census"

    def with_observed(self, observed: float) -> PanelTarget:
        return PanelTarget(
            self.name, self.quantity, self.measure, self.years, self.sd, self.tolerance,
            float(observed),
        )  # fmt: skip

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "kind": self.kind,
            "quantity": self.quantity,
            "measure": self.measure,
            "years": list(self.years),
            "observed": self.observed,
            "sd": self.sd,
            "tolerance": self.tolerance,
            "source": self.source,
        }


def check_panel(
    spec: CalibrationFile, file: str, linemap: LineMap, problems: list[Problem]
) -> PanelSetup | None:
    """The calibration's panel section checked by the panel's own checks (codes, files,
    a probe run of the first county), problems reported at ``panel.<key>``."""
    section = spec.panel
    if section is None:
        for name, given in spec.targets.items():
            if given.kind == "panel":
                key = f"targets.{name}.kind"
                message = "a panel target needs the file's panel section (its counties)"
                problems.append(Problem(*linemap[key], key, "panel", message))
        return None
    panel_spec = PanelFile.model_validate(
        {
            "name": f"{spec.name}.panel",
            "counties": section.counties.model_dump(exclude_unset=True),
            "scenario": spec.scenario,
            "county_rules": section.county_rules,
            "targets": section.targets,
            "set": dict(spec.overrides) | dict(section.overrides),
            "scale": section.scale,
            "years": section.years.model_dump(),
        }
    )
    local = {k.removeprefix("panel."): v for k, v in linemap.items() if k.startswith("panel.")}
    local |= {"scenario": linemap["scenario"], "name": linemap["panel"]}
    local.setdefault("set", linemap.get("set", linemap["panel"]))
    local.setdefault("counties", linemap["panel"])
    try:
        plan = plan_panel(panel_spec, local, file)
    except PanelError as exc:
        problems += [_prefixed(problem, file) for problem in exc.problems]
        return None
    return _setup(plan)


def _prefixed(problem: Problem, file: str) -> Problem:
    if problem.file != file or problem.key in ("scenario", "set") or not problem.key:
        return problem
    return Problem(
        problem.file, problem.line, f"panel.{problem.key}", problem.value, problem.message,
        problem.suggestion,
    )  # fmt: skip


def _setup(plan: PanelPlan) -> PanelSetup:
    codes = plan.codes
    census = start_end(plan.census[plan.census["code"].isin(codes)], plan.targets)
    return PanelSetup(
        base=plan.base,
        codes=tuple(codes),
        start=plan.spec.years.start,
        end=plan.spec.years.end,
        census=census.loc[list(codes)],
        files=(str(plan.census_file), str(plan.targets_file)),
    )


def panel_targets(
    specs: Mapping[str, TargetSpec],
    setup: PanelSetup | None,
    linemap: LineMap,
    problems: list[Problem],
) -> dict[str, PanelTarget]:
    """The file's panel targets (unknown quantities reported with a did-you-mean)."""
    built = {}
    for name, given in specs.items():
        if given.kind != "panel":
            continue
        if given.quantity not in SCORED:
            key = f"targets.{name}.quantity"
            close = difflib.get_close_matches(given.quantity, list(SCORED), n=1)
            message = f"not a panel quantity; choose from {', '.join(SCORED)}"
            hint = f"did you mean {close[0]!r}?" if close else None
            problems.append(Problem(*linemap[key], key, given.quantity, message, hint))
            continue
        if setup is None:
            continue
        built[name] = PanelTarget(
            name, given.quantity, given.measure, (setup.start, setup.end), given.sd,
            given.tolerance,
        )  # fmt: skip
    return built


# ----------------------------------------------------------------------------- runs


def expand_points(
    points: Sequence[Mapping[str, Any]], codes: Sequence[str]
) -> list[dict[str, Any]]:
    """The (parameter set, county) points of a stage: per set, its own county ("") and then
    each panel county, so point ``i * (1 + len(codes)) + k`` is set i's k-th run."""
    return [
        {**point, PANEL_COUNTY: code} for point in points for code in ("", *codes)
    ]  # fmt: skip


def parameter_sets(points: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The parameter sets of expanded points (those of the scenario's own county)."""
    return [
        {k: v for k, v in point.items() if k != PANEL_COUNTY}
        for point in points
        if not point.get(PANEL_COUNTY)
    ]


@dataclass(frozen=True)
class PanelCalibrationModel:
    """A stage's runs: the scenario's own county (``PANEL_COUNTY`` empty) as its scenario
    model runs it, or a panel county, which returns its panel quantities (no tables)."""

    scenario: ScenarioModel
    panel_base: Mapping[str, Any]
    start: int
    end: int

    def __call__(self, parameters: Mapping[str, Any], seed: int) -> RunOutput:
        values = dict(parameters)
        code = str(values.pop(PANEL_COUNTY, ""))
        if not code:
            return self.scenario(values, seed)
        scenario = scenario_for(self.panel_base, values | county_overrides(code), seed)
        county = simulate(scenario).county
        return RunOutput(quantity_values(county, self.start, self.end), {})


def panel_statistics(
    targets: Mapping[str, PanelTarget], setup: PanelSetup, runs: pd.DataFrame
) -> pd.DataFrame:
    """Each parameter set's panel targets from its successful county runs (``runs``: one row
    per run with ``set``, ``panel_county`` and the quantity columns). A quantity's county
    value is the mean over the county's replicates; a set lacking any county gets NaN."""
    columns = [c for c in setup.census.columns if c in runs.columns]
    out = {}
    for number, rows in runs.groupby("set"):
        predicted = rows.groupby(PANEL_COUNTY)[columns].mean()
        complete = predicted.index.isin(setup.codes).sum() == len(setup.codes)
        got_level, got_change = scored_values(predicted)
        want_level, want_change = scored_values(setup.census.loc[predicted.index])
        row = {}
        for name, target in targets.items():
            if not complete:
                row[name] = np.nan
                continue
            got, want = (
                (got_change, want_change) if target.measure == "change" else (got_level, want_level)
            )
            error = (got[target.quantity] - want[target.quantity]).dropna()
            row[name] = float(error.mean()) if len(error) else np.nan
        out[number] = row
    return pd.DataFrame.from_dict(out, orient="index", columns=list(targets))
