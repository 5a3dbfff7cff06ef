"""A sweep file, read, checked and resolved into the runs it asks for (a ``SweepPlan``).

Everything that can be wrong with a sweep is reported before anything runs, all at once,
with the scenario loader's file:line, dotted-key and did-you-mean reports and exit status 2:
the schema (``sweep_schema.py``); the base scenario and its ``set`` values; every parameter
path (it must name a scenario value) and every bound or value (each is put into the base
scenario and validated there, so the scenario schema's ranges and units apply); the output
columns (against those of a one-year probe run of the base scenario) and years; and finally
every design point as a whole scenario.

The plan's ``config`` is the resolved sweep (base scenario, design points, replicates,
streams, outputs); its hash identifies the sweep's results, so a store refuses to resume
with a different one. Execution settings are not part of it: they do not change results.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from countysim.config import (
    OVERRIDE_SOURCE,
    LineMap,
    Problem,
    ScenarioError,
    check_key,
    read_yaml,
    resolved_dict,
    split_key,
    validate,
)
from countysim.experiments.design import Design, Parameter, make_design
from countysim.experiments.execution import RunTask, run_id
from countysim.experiments.scenario_model import ScenarioModel, county_columns, scenario_for
from countysim.experiments.seeds import replicate_seed, stream_key
from countysim.experiments.sweep_schema import ParameterSpec, SweepFile
from countysim.provenance import scenario_hash
from countysim.runner import prepare

#: Column names of a sweep's run table (``store.py``); outputs may not take them.
RUN_TABLE_COLUMNS = (
    "run_id",
    "point",
    "replicate",
    "seed",
    "attempt",
    "batch",
    "status",
    "error",
    "traceback",
    "wall_seconds",
    "finished_utc",
    "host",
)
_OUTPUT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: Bad design points reported one by one before the rest are summarized.
_BAD_POINTS_SHOWN = 3


class SweepError(ScenarioError):
    """All problems found in a sweep file (exit status 2, like a bad scenario)."""

    subject = "sweep"


@dataclass(frozen=True, eq=False)
class SweepPlan:
    """A checked sweep: its base scenario, design, runs (with seeds) and the model to run."""

    name: str
    source: Path
    spec: SweepFile
    base: dict[str, Any]
    design: Design
    runs: tuple[RunTask, ...]
    model: ScenarioModel
    config: dict[str, Any]
    config_hash: str
    section_hashes: dict[str, str]

    def spec_data(self) -> dict[str, Any]:
        """The sweep file as validated (base path made absolute, defaults filled in)."""
        return self.spec.model_dump(mode="json", by_alias=True)


def load_sweep(path: str | os.PathLike) -> SweepPlan:
    """Read and check a sweep file and plan its runs; raise ``SweepError`` with every problem."""
    file = os.fspath(path)
    try:
        data, linemap = read_yaml(file)
        spec = validate(data, linemap, SweepFile)
    except ScenarioError as exc:
        raise SweepError(exc.problems, file) from None

    problems: list[Problem] = []
    base = _base_scenario(spec, linemap, problems)
    if base is None:
        raise SweepError(problems, file)
    parameters = _parameters(spec, base, linemap, problems)
    problems += _output_problems(spec, base, linemap)
    problems += _point_key_problems(spec, linemap)
    if problems:
        raise SweepError(problems, file)

    settings = spec.design
    try:
        design = make_design(
            settings.kind,
            parameters,
            samples=settings.samples,
            levels=settings.levels,
            second_order=settings.second_order,
            seed=settings.seed,
            points=settings.points,
        )
    except ValueError as exc:
        raise SweepError([Problem(*linemap["design"], "design", None, str(exc))], file) from None
    runs = _plan_runs(spec, base, design, linemap, file)

    config = {
        "name": spec.name,
        "base_scenario": base,
        "design": design.to_dict(),
        "replicates": spec.replicates,
        "streams": spec.streams,
        "outputs": {
            name: output.model_dump(mode="json", exclude_none=True)
            for name, output in spec.outputs.items()
        },
    }
    # The canonical-JSON digest that identifies scenarios identifies sweeps too.
    section_hashes = {section: scenario_hash({section: value}) for section, value in config.items()}
    return SweepPlan(
        name=spec.name,
        source=Path(file).resolve(),
        spec=spec,
        base=base,
        design=design,
        runs=tuple(runs),
        model=ScenarioModel(base, dict(spec.outputs)),
        config=config,
        config_hash=scenario_hash(config),
        section_hashes=section_hashes,
    )


def _base_scenario(
    spec: SweepFile, linemap: LineMap, problems: list[Problem]
) -> dict[str, Any] | None:
    """The resolved base scenario with the sweep's ``set`` values (and its places file
    checked); problems in ``set`` are reported where they were written in the sweep file."""
    overrides = [f"{key}={json.dumps(value)}" for key, value in spec.overrides.items()]
    try:
        return resolved_dict(prepare(spec.base, overrides))
    except ScenarioError as exc:
        for problem in exc.problems:
            if problem.file != OVERRIDE_SOURCE:
                problems.append(problem)
                continue
            written = next((k for k in spec.overrides if _in_subtree(problem.key, k)), "")
            file, line = linemap.get(f"set.{written}", linemap["set"])
            key = f"set.{problem.key}" if problem.key else "set"
            problems.append(
                Problem(file, line, key, problem.value, problem.message, problem.suggestion)
            )
        return None


def _in_subtree(key: str, root: str) -> bool:
    """Whether dotted ``key`` is ``root`` or lies below it."""
    return key == root or key.startswith((f"{root}.", f"{root}["))


def _parameters(
    spec: SweepFile, base: dict[str, Any], linemap: LineMap, problems: list[Problem]
) -> list[Parameter]:
    """The design's parameters; each path must name a scenario value, and each bound and
    value must be allowed there (checked by validating the base scenario with it)."""
    parameters = []
    for path, given in spec.parameters.items():
        key = f"parameters.{path}"
        file, line = linemap[key]
        if path == "seed":
            message = "seeds are set per run from the replicates; use replicates instead"
            problems.append(Problem(file, line, key, None, message))
            continue
        if (unknown := check_key(path)) is not None:
            message = f"not a scenario value: {unknown.message}"
            problems.append(Problem(file, line, key, None, message, unknown.suggestion))
            continue
        current = _value_at(base, path)
        integer = isinstance(current, int) and not isinstance(current, bool)
        found = _candidate_problems(base, path, given, key, integer, linemap)
        problems += found
        if not found:
            parameters.append(_parameter(path, given, integer))
    return parameters


def _candidate_problems(
    base: dict[str, Any],
    path: str,
    given: ParameterSpec,
    key: str,
    integer: bool,
    linemap: LineMap,
) -> list[Problem]:
    """Problems with the bounds or values of one parameter, each at its own line."""
    if given.bounds is not None:
        candidates = [(f"{key}.bounds[{i}]", bound) for i, bound in enumerate(given.bounds)]
        if integer and not all(float(bound).is_integer() for bound in given.bounds):
            file, line = linemap[f"{key}.bounds"]
            message = f"{path} is an integer; give whole-number bounds"
            return [Problem(file, line, f"{key}.bounds", given.bounds, message)]
        if integer:
            candidates = [(where, int(bound)) for where, bound in candidates]
    else:
        candidates = [(f"{key}.values[{i}]", value) for i, value in enumerate(given.values)]
    found = []
    for where, value in candidates:
        try:
            scenario_for(base, {path: value})
        except ScenarioError as exc:
            file, line = linemap.get(where, linemap[key])
            for problem in exc.problems:
                context = "" if problem.key == path else f"{problem.key}: "
                message = context + problem.message
                found.append(Problem(file, line, where, value, message, problem.suggestion))
    return found


def _parameter(path: str, given: ParameterSpec, integer: bool) -> Parameter:
    return Parameter(
        name=path,
        bounds=None if given.bounds is None else (given.bounds[0], given.bounds[1]),
        values=None if given.values is None else tuple(given.values),
        distribution=given.distribution,
        mode=given.mode,
        mean=given.mean,
        sd=given.sd,
        integer=integer and given.bounds is not None,
    )


def _value_at(data: Any, path: str) -> Any:
    """The value at a dotted key of plain data, None where it does not exist."""
    for step in split_key(path):
        if isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        elif isinstance(step, int) and isinstance(data, list) and step < len(data):
            data = data[step]
        else:
            return None
    return data


def _output_problems(spec: SweepFile, base: Mapping[str, Any], linemap: LineMap) -> list[Problem]:
    """Output names, columns (of the county table) and years (of the base scenario)."""
    first, last = base["years"]["start"], base["years"]["end"]
    try:
        columns = county_columns(base)
    except Exception as exc:  # the model itself fails on the base scenario
        message = f"the base scenario fails in a one-year probe run: {type(exc).__name__}: {exc}"
        return [Problem(*linemap["base"], "base", None, message)]
    problems = []
    for name, output in spec.outputs.items():
        key = f"outputs.{name}"
        file, line = linemap[key]
        if not _OUTPUT_NAME.fullmatch(name) or name in RUN_TABLE_COLUMNS:
            message = "an output name is a word of letters, digits and _, not a run-table column"
            problems.append(Problem(file, line, key, None, message))
        column_key = (
            f"{key}.{'first_year_below' if output.first_year_below else 'first_year_above'}.column"
            if output.crossing
            else f"{key}.column"
        )
        if output.column_name not in columns:
            close = difflib.get_close_matches(output.column_name, columns, n=1)
            problems.append(
                Problem(
                    *linemap.get(column_key, (file, line)),
                    column_key,
                    output.column_name,
                    "not a column of the county table",
                    f"did you mean {close[0]!r}?" if close else None,
                )
            )
        year_key = f"{key}.year" if output.year is not None else f"{key}.years"
        for year in output.years_needed():
            if not first <= year <= last:
                message = f"year {year} is not simulated; the base scenario runs {first}-{last}"
                problems.append(Problem(*linemap[year_key], year_key, None, message))
    return problems


def _point_key_problems(spec: SweepFile, linemap: LineMap) -> list[Problem]:
    """A list design's points must name scenario values, the same ones in every point."""
    points = spec.design.points or []
    problems = []
    for index, point in enumerate(points):
        where = f"design.points[{index}]"
        if index and list(point) != list(points[0]):
            message = f"every point must name the same parameters as point 0: {list(points[0])}"
            problems.append(Problem(*linemap[where], where, None, message))
        for path in point:
            if (unknown := check_key(path)) is not None:
                file, line = linemap.get(f"{where}.{path}", linemap[where])
                message = f"not a scenario value: {unknown.message}"
                problems.append(
                    Problem(file, line, f"{where}.{path}", None, message, unknown.suggestion)
                )
    return problems


def _plan_runs(
    spec: SweepFile, base: dict[str, Any], design: Design, linemap: LineMap, file: str
) -> list[RunTask]:
    """Every (design point, replicate) run with its seed; each design point is validated as
    a whole scenario first, since values allowed one at a time may clash together."""
    common_seeds = [replicate_seed(base["seed"], r) for r in range(spec.replicates)]
    runs: list[RunTask] = []
    bad: list[Problem] = []
    for point, values in enumerate(design.point_values()):
        try:
            scenario = scenario_for(base, values)
        except ScenarioError as exc:
            first = exc.problems[0]
            message = f"design point {point} {values}: {first.key}: {first.message}"
            bad.append(Problem(*linemap["design"], "design", None, message))
            continue
        if spec.streams == "independent":
            stream = stream_key(resolved_dict(scenario))
            seeds = [replicate_seed(base["seed"], r, stream) for r in range(spec.replicates)]
        else:
            seeds = common_seeds
        runs += [RunTask(run_id(point, r), point, r, seed, values) for r, seed in enumerate(seeds)]
    if bad:
        shown = bad[:_BAD_POINTS_SHOWN]
        if len(bad) > len(shown):
            message = f"... and {len(bad) - len(shown)} more of {len(design)} design points"
            shown.append(Problem(*linemap["design"], "design", None, message))
        raise SweepError(shown, file)
    return runs
