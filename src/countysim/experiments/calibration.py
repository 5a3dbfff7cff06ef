"""A calibration file, read, checked and resolved into a ``CalibrationPlan``.

Everything that can be wrong with a calibration is reported before anything runs, all at
once, with the scenario loader's file:line, dotted-key and did-you-mean reports and exit
status 2: the schema (``calibration_schema.py``); the scenario and its ``set`` values; every
parameter (it must name a continuous scenario value, and both bounds of its prior must be
allowed there: each is put into the scenario and validated); the synthetic truth (calibrated
parameters only, inside their bounds); and every target (its data series exist and end by
2019, its model columns are columns of the county table, its years are simulated).

The plan's ``config`` is the resolved calibration; its hash identifies the calibration's
stores, so ``--resume`` refuses to continue a folder made by a different calibration.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from countysim.config import LineMap, Problem, ScenarioError, check_key, read_yaml, validate
from countysim.experiments.calibration_panel import (
    PanelSetup,
    PanelTarget,
    check_panel,
    panel_targets,
)
from countysim.experiments.calibration_priors import Prior
from countysim.experiments.calibration_schema import CalibrationFile
from countysim.experiments.calibration_targets import Target, build_targets, read_statistics
from countysim.experiments.scenario_model import county_columns
from countysim.experiments.sweep import _base_scenario, _candidate_problems, _value_at
from countysim.provenance import scenario_hash

_TARGET_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class CalibrationError(ScenarioError):
    """All problems found in a calibration file (exit status 2, like a bad scenario)."""

    subject = "calibration"


@dataclass(frozen=True, eq=False)
class CalibrationPlan:
    """A checked calibration: its scenario, priors, targets and settings."""

    name: str
    source: Path
    spec: CalibrationFile
    base: dict[str, Any]
    priors: tuple[Prior, ...]
    targets: dict[str, Target | PanelTarget]
    config: dict[str, Any]
    config_hash: str
    panel: PanelSetup | None = None

    @property
    def names(self) -> list[str]:
        return [prior.name for prior in self.priors]

    def spec_data(self) -> dict[str, Any]:
        """The calibration file as validated (paths absolute, defaults filled in)."""
        return self.spec.model_dump(mode="json", by_alias=True)


def load_calibration(path: str | os.PathLike) -> CalibrationPlan:
    """Read and check a calibration file; raise ``CalibrationError`` with every problem."""
    file = os.fspath(path)
    try:
        data, linemap = read_yaml(file)
        spec = validate(data, linemap, CalibrationFile)
    except ScenarioError as exc:
        raise CalibrationError(exc.problems, file) from None

    problems: list[Problem] = []
    # The sweep's reader of a base scenario with ``set`` values serves here unchanged.
    base = _base_scenario(
        SimpleNamespace(base=spec.scenario, overrides=spec.overrides), linemap, problems
    )
    if base is None:
        raise CalibrationError(problems, file)
    priors = _priors(spec, base, linemap, problems)
    problems += _synthetic_problems(spec, linemap)
    targets = _targets(spec, base, linemap, problems)
    panel = check_panel(spec, file, linemap, problems)
    targets |= panel_targets(spec.targets, panel, linemap, problems)
    if problems:
        raise CalibrationError(problems, file)
    targets = {name: targets[name] for name in spec.targets}  # in the file's order

    config = {
        "name": spec.name,
        "base_scenario": base,
        "priors": [prior.describe() for prior in priors],
        "targets": {name: target.describe() for name, target in targets.items()},
        "synthetic": None if spec.synthetic is None else spec.synthetic.model_dump(mode="json"),
        "budget": spec.budget.model_dump(mode="json"),
        "implausibility_cutoff": spec.implausibility_cutoff,
        "seed": spec.seed,
    }
    if panel is not None:  # only then, so that calibrations without a panel keep their hash
        config["panel"] = panel.describe()
    return CalibrationPlan(
        name=spec.name,
        source=Path(file).resolve(),
        spec=spec,
        base=base,
        priors=tuple(priors),
        targets=targets,
        config=config,
        config_hash=scenario_hash(config),
        panel=panel,
    )


def _priors(
    spec: CalibrationFile, base: dict[str, Any], linemap: LineMap, problems: list[Problem]
) -> list[Prior]:
    priors = []
    for path, given in spec.parameters.items():
        key = f"parameters.{path}"
        file, line = linemap[key]
        if path == "seed":
            problems.append(Problem(file, line, key, None, "the seed is not a parameter"))
            continue
        if (unknown := check_key(path)) is not None:
            message = f"not a scenario value: {unknown.message}"
            problems.append(Problem(file, line, key, None, message, unknown.suggestion))
            continue
        current = _value_at(base, path)
        if isinstance(current, bool) or not isinstance(current, int | float):
            message = (
                f"{path} is {type(current).__name__} {current!r} in the scenario; only "
                "continuous numeric values can be calibrated"
            )
            problems.append(Problem(file, line, key, None, message))
            continue
        if isinstance(current, int):
            message = f"{path} is an integer; only continuous values can be calibrated"
            problems.append(Problem(file, line, key, None, message))
            continue
        bounds = SimpleNamespace(bounds=given.bounds, values=None)
        found = _candidate_problems(base, path, bounds, key, False, linemap)
        problems += found
        if not found:
            priors.append(Prior.from_spec(path, given))
    return priors


def _synthetic_problems(spec: CalibrationFile, linemap: LineMap) -> list[Problem]:
    if spec.synthetic is None:
        return []
    problems = []
    for path, value in spec.synthetic.parameters.items():
        key = f"synthetic.parameters.{path}"
        file, line = linemap.get(key, linemap["synthetic"])
        given = spec.parameters.get(path)
        if given is None:
            close = difflib.get_close_matches(path, list(spec.parameters), n=1)
            message = "the truth can only be given for calibrated parameters"
            suggestion = f"did you mean {close[0]!r}?" if close else None
            problems.append(Problem(file, line, key, value, message, suggestion))
        elif not given.bounds[0] <= value <= given.bounds[1]:
            message = f"outside the prior's bounds {given.bounds}"
            problems.append(Problem(file, line, key, value, message))
    missing = [path for path in spec.parameters if path not in spec.synthetic.parameters]
    if missing:
        message = f"give the true value of every calibrated parameter; missing {missing[0]}"
        problems.append(
            Problem(*linemap["synthetic.parameters"], "synthetic.parameters", None, message)
        )
    return problems


def _targets(
    spec: CalibrationFile, base: dict[str, Any], linemap: LineMap, problems: list[Problem]
) -> dict[str, Target]:
    statistics = None
    if spec.statistics_file is not None:
        try:
            statistics = read_statistics(spec.statistics_file)
        except (OSError, ValueError, KeyError) as exc:
            message = f"cannot read the statistics: {exc}"
            problems.append(Problem(*linemap["statistics_file"], "statistics_file", None, message))
            return {}
    series_targets = {name: t for name, t in spec.targets.items() if t.kind != "panel"}
    targets, failed = build_targets(series_targets, statistics)
    for name, error in failed.items():
        key = f"targets.{name}.{error.key}" if error.key else f"targets.{name}"
        file, line = linemap.get(key, linemap[f"targets.{name}"])
        problems.append(Problem(file, line, key, None, str(error), error.suggestion))
    try:
        columns = county_columns(base)
    except Exception as exc:  # the model itself fails on the scenario
        message = f"the scenario fails in a coarse probe run: {type(exc).__name__}: {exc}"
        problems.append(Problem(*linemap["scenario"], "scenario", None, message))
        return targets
    first, last = base["years"]["start"], base["years"]["end"]
    for name, given in spec.targets.items():
        where = f"targets.{name}"
        if not _TARGET_NAME.fullmatch(name):
            message = "a target name is a word of letters, digits and _"
            problems.append(Problem(*linemap[where], where, None, message))
        if given.kind == "panel":
            continue  # scored on the panel's counties (calibration_panel)
        for part in ("numerator", "denominator"):
            for index, column in enumerate(getattr(given.model, part)):
                key = f"{where}.model.{part}[{index}]"
                if column not in columns:
                    close = difflib.get_close_matches(column, columns, n=1)
                    problems.append(
                        Problem(
                            *linemap.get(key, linemap[where]),
                            key,
                            column,
                            "not a column of the county table",
                            f"did you mean {close[0]!r}?" if close else None,
                        )
                    )
        if given.kind == "synthetic" and spec.synthetic is None:
            message = "a synthetic target needs the file's synthetic section (the true values)"
            problems.append(
                Problem(*linemap[f"{where}.kind"], f"{where}.kind", "synthetic", message)
            )
        target = targets.get(name)
        years = target.years if target is not None else tuple(given.years)
        if min(years) < first or max(years) > last:
            message = (
                f"years {min(years)}-{max(years)} are not all simulated; the scenario runs "
                f"{first}-{last}"
            )
            problems.append(Problem(*linemap[f"{where}.years"], f"{where}.years", None, message))
    return targets
