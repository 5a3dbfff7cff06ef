"""A panel file, read, checked and resolved into the runs it asks for (a ``PanelPlan``).

A county panel is an experiment whose design points are counties: a list design over the
parameter ``county`` (a census code), each point run ``replicates`` times with the seeds of
``seeds.py``. Everything that can be wrong with a panel file is reported before anything
runs, all at once, with the scenario loader's file:line, dotted-key and did-you-mean reports
and exit status 2: the schema (``panel_schema.py``); the scenario and its ``set`` values;
the census and targets files and their columns; the selection (unknown codes, provinces,
an empty panel); and a coarse probe run of the first county, which must give every panel
quantity.

A ``PanelPlan`` has the attributes the sweep runner and store use (``runs``, ``model``,
``config``, ``config_hash``...), so a panel runs on the same executors into the same
resumable store as a sweep. Its ``config`` (scenario, counties, replicates, streams, years)
identifies the runs; the targets and null models do not change runs, so they are not in it.
"""

from __future__ import annotations

import copy
import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from countysim.config import (
    OVERRIDE_SOURCE,
    LineMap,
    Problem,
    ScenarioError,
    apply_overrides,
    read_yaml,
    resolve_extends,
    resolved_dict,
    validate,
)
from countysim.config.schema import Scenario
from countysim.experiments.design import Design, make_design
from countysim.experiments.execution import RunTask, run_id
from countysim.experiments.panel_model import COUNTY_PARAMETER, PanelModel, county_overrides
from countysim.experiments.panel_quantities import CENSUS_KEY_COLUMNS, QUANTITIES, TARGET_COLUMNS
from countysim.experiments.panel_schema import Counties, PanelFile
from countysim.experiments.scenario_model import scenario_for
from countysim.experiments.seeds import replicate_seed, stream_key
from countysim.provenance import scenario_hash
from countysim.runner import simulate

#: Where the defaults live: the project's scenarios and data, and the census the builder reads.
PROJECT_ROOT = Path(__file__).resolve().parents[3]
DEFAULT_SCENARIO = PROJECT_ROOT / "scenarios" / "history.yaml"
DEFAULT_COUNTY_RULES = PROJECT_ROOT / "scenarios" / "census_county.yaml"
DEFAULT_TARGETS = PROJECT_ROOT / "seeds" / "data" / "county_census_2020_calibration.csv"
DEFAULT_CENSUS = Path(__file__).resolve().parents[1] / "data" / "county_census_2010.csv"


class PanelError(ScenarioError):
    """All problems found in a panel file (exit status 2, like a bad scenario)."""

    subject = "panel"


@dataclass(frozen=True, eq=False)
class PanelPlan:
    """A checked panel: its scenario, counties, runs (with seeds) and the model to run."""

    name: str
    source: Path
    spec: PanelFile
    base: dict[str, Any]
    census_file: Path
    targets_file: Path
    census: pd.DataFrame  # 2010 census rows of every unit (for covariates and labels)
    targets: pd.DataFrame  # target-year census rows
    codes: tuple[str, ...]  # the panel's counties, in design order
    design: Design
    runs: tuple[RunTask, ...]
    model: PanelModel
    config: dict[str, Any]
    config_hash: str
    section_hashes: dict[str, str]

    def spec_data(self) -> dict[str, Any]:
        """The panel file as validated (defaults filled in, paths as ``shown_path``)."""
        data = self.spec.model_dump(mode="json", by_alias=True)
        data["scenario"] = shown_path(self.base_source)
        data["targets"] = shown_path(self.targets_file)
        data["counties"]["census"] = shown_path(self.census_file)
        if data.get("county_rules"):
            data["county_rules"] = shown_path(data["county_rules"])
        return data

    @property
    def base_source(self) -> str:
        return self.spec.scenario or str(DEFAULT_SCENARIO)


def shown_path(path: str | os.PathLike) -> str:
    """A path as outputs show it: relative to the working directory when it lies below it
    (results then read the same on every machine), else absolute."""
    resolved = Path(path).resolve()
    try:
        return resolved.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(resolved)


def load_panel(path: str | os.PathLike) -> PanelPlan:
    """Read and check a panel file and plan its runs; raise ``PanelError`` with every problem."""
    file = os.fspath(path)
    try:
        data, linemap = read_yaml(file)
        spec = validate(data, linemap, PanelFile)
    except ScenarioError as exc:
        raise PanelError(exc.problems, file) from None
    return plan_panel(spec, linemap, file)


def plan_panel(spec: PanelFile, linemap: LineMap, file: str) -> PanelPlan:
    """Check a validated panel spec (its keys placed by ``linemap``) and plan its runs; raise
    ``PanelError`` with every problem. A calibration's panel section is checked here too."""
    problems: list[Problem] = []
    base = _base_scenario(spec, linemap, problems)
    census_file = _default_file(spec.counties.census, DEFAULT_CENSUS, "counties", linemap, problems)
    targets_file = _default_file(spec.targets, DEFAULT_TARGETS, "targets", linemap, problems)
    census = _read_table(census_file, CENSUS_KEY_COLUMNS, _census_columns(), "counties.census",
                         linemap, problems)  # fmt: skip
    targets = _read_table(targets_file, TARGET_COLUMNS, (), "targets", linemap, problems)
    if problems or base is None or census is None or targets is None:
        raise PanelError(problems, file)
    codes = select_counties(spec.counties, census, targets, linemap, problems)
    if not problems:
        problems += _probe_problems(base, codes[0], spec, linemap)
    if problems:
        raise PanelError(problems, file)

    design = make_design("list", points=[{COUNTY_PARAMETER: code} for code in codes])
    runs = _plan_runs(spec, base, codes)
    config = {
        "name": spec.name,
        "base_scenario": base,
        "design": design.to_dict(),
        "replicates": spec.replicates,
        "streams": spec.streams,
        "years": spec.years.model_dump(),
    }
    return PanelPlan(
        name=spec.name,
        source=Path(file).resolve(),
        spec=spec,
        base=base,
        census_file=census_file,
        targets_file=targets_file,
        census=census,
        targets=targets,
        codes=tuple(codes),
        design=design,
        runs=tuple(runs),
        model=PanelModel(base, spec.years.start, spec.years.end),
        config=config,
        config_hash=scenario_hash(config),
        section_hashes={key: scenario_hash({key: value}) for key, value in config.items()},
    )


def _base_scenario(spec: PanelFile, linemap: LineMap, problems: list[Problem]) -> dict | None:
    """The resolved scenario with the panel's ``set`` values, its scale and years, built
    from the census: the scenario's own ``county.census`` section, else that of the county
    rules. Problems in ``set`` are reported where they were written in the panel file.

    The outside cities are kept as the scenario wrote them: validation moves them to the
    census county's region, and each county's run must start from the unmoved ones.
    """
    overrides = dict(spec.overrides) | {
        "simulation.scale": spec.scale,
        "years.start": spec.years.start,
        "years.end": spec.years.end,
    }
    source = spec.scenario or os.fspath(DEFAULT_SCENARIO)
    try:
        data, lines = resolve_extends(source)
        apply_overrides(data, lines, overrides)
        if (data.get("county") or {}).get("census") is None:
            census = _census_rules(spec, linemap, problems)
            if census is None:
                return None
            data["county"] = {"census": census}
        cities = copy.deepcopy(data.get("outside_cities"))
        base = resolved_dict(validate(data, lines, Scenario))
    except ScenarioError as exc:
        problems += _located(exc.problems, spec, linemap)
        return None
    base["outside_cities"] = cities
    return base


def _census_rules(spec: PanelFile, linemap: LineMap, problems: list[Problem]) -> dict | None:
    """The ``county.census`` section of the county rules scenario, as written there."""
    rules = spec.county_rules or os.fspath(DEFAULT_COUNTY_RULES)
    where = linemap.get("county_rules", linemap.get("scenario", (None, None)))
    if not os.path.isfile(rules):
        problems.append(Problem(*where, "county_rules", rules, "file not found"))
        return None
    data, _ = resolve_extends(rules)
    census = (data.get("county") or {}).get("census")
    if census is None:
        message = "neither the scenario nor this file has a county.census section"
        problems.append(Problem(*where, "county_rules", rules, message))
    return census


def _located(found: list[Problem], spec: PanelFile, linemap: LineMap) -> list[Problem]:
    """Problems of the scenario as the user should see them: those of the panel's ``set``
    values, scale and years at the line of the panel file that wrote them."""
    own = {"simulation.scale": "scale", "years.start": "years.start", "years.end": "years.end"}
    located = []
    for problem in found:
        if problem.file != OVERRIDE_SOURCE:
            located.append(problem)
            continue
        written = next((k for k in spec.overrides if _in_subtree(problem.key, k)), None)
        if written is None:
            key = own.get(problem.key, problem.key)
            where = linemap.get(key, (None, None))
            message = f"the scenario rejects {problem.key}: {problem.message}"
            located.append(Problem(*where, key, problem.value, message))
            continue
        where = linemap.get(f"set.{written}", linemap["set"])
        key = f"set.{problem.key}" if problem.key else "set"
        located.append(Problem(*where, key, problem.value, problem.message, problem.suggestion))
    return located


def _in_subtree(key: str, root: str) -> bool:
    return key == root or key.startswith((f"{root}.", f"{root}["))


def _default_file(
    given: str | None, default: Path, key: str, linemap: LineMap, problems: list[Problem]
) -> Path:
    if given is not None:
        return Path(given)
    if not default.is_file():
        where = linemap.get(key, (None, None))
        message = f"no file given and the default {default} does not exist; give one"
        problems.append(Problem(*where, key, None, message))
    return default


def _census_columns() -> tuple[str, ...]:
    from countysim.experiments.panel_scores import COVARIATES, DERIVED_FROM

    return tuple(dict.fromkeys([*(q.census_2010 for q in QUANTITIES), *COVARIATES, *DERIVED_FROM]))


def _read_table(
    path: Path,
    keys: tuple[str, ...],
    values: tuple[str, ...],
    key: str,
    linemap: LineMap,
    problems: list[Problem],
) -> pd.DataFrame | None:
    """A census CSV with codes as text; a problem if it cannot be read or lacks columns."""
    where = linemap.get(key, linemap.get(key.split(".")[0], (None, None)))
    if not path.is_file():
        return None
    try:
        table = pd.read_csv(path, dtype={"code": str})
    except (OSError, ValueError) as exc:
        problems.append(Problem(*where, key, str(path), f"cannot read the table: {exc}"))
        return None
    missing = [name for name in (*keys, *values) if name not in table.columns]
    if missing:
        message = f"{path.name} lacks the columns {', '.join(missing)}"
        problems.append(Problem(*where, key, str(path), message))
        return None
    if table["code"].duplicated().any():
        duplicate = table.loc[table["code"].duplicated(), "code"].iloc[0]
        problems.append(Problem(*where, key, str(path), f"code {duplicate} is listed twice"))
        return None
    return table


def select_counties(
    counties: Counties,
    census: pd.DataFrame,
    targets: pd.DataFrame,
    linemap: LineMap,
    problems: list[Problem],
) -> list[str]:
    """The codes of the panel, in census order: the filters, then the targets, then the
    sample. Unknown codes or provinces and an empty panel are problems."""
    keep = pd.Series(True, index=census.index)
    known = set(census["code"])
    if counties.codes is not None:
        for index, code in enumerate(counties.codes):
            if code not in known:
                key = f"counties.codes[{index}]"
                close = difflib.get_close_matches(code, sorted(known), n=1)
                hint = f"did you mean {close[0]!r}?" if close else None
                problems.append(Problem(*linemap[key], key, code, "not a code of the census", hint))
        keep &= census["code"].isin(counties.codes)
    if counties.provinces is not None:
        names = {
            str(v): code
            for code, zh, en in census[["province_code", "province", "province_en"]]
            .drop_duplicates()
            .itertuples(index=False)
            for v in (code, zh, en)
        }
        wanted = set()
        for index, province in enumerate(counties.provinces):
            if str(province) in names:
                wanted.add(names[str(province)])
                continue
            key = f"counties.provinces[{index}]"
            close = difflib.get_close_matches(str(province), sorted(names), n=1)
            hint = f"did you mean {close[0]!r}?" if close else None
            message = "not a province of the census (give a code, or a Chinese or English name)"
            problems.append(Problem(*linemap[key], key, province, message, hint))
        keep &= census["province_code"].isin(wanted)
    if counties.regions is not None:
        keep &= census["region"].isin(counties.regions)
    if counties.unit_types is not None:
        keep &= census["unit_type"].isin(counties.unit_types)
    if counties.with_targets_only:
        keep &= census["code"].isin(set(targets["code"]))
    chosen = census.loc[keep]
    if counties.sample is not None and counties.sample.size < len(chosen):
        chosen = stratified_sample(chosen, counties.sample.size, counties.sample.stratify,
                                   counties.sample.seed)  # fmt: skip
    if chosen.empty and not problems:
        message = "no county is left after the filters" + (
            " and the targets (with_targets_only: true)" if counties.with_targets_only else ""
        )
        problems.append(Problem(*linemap.get("counties", (None, None)), "counties", None, message))
    return list(chosen["code"])


def stratified_sample(table: pd.DataFrame, size: int, stratify: str, seed: int) -> pd.DataFrame:
    """``size`` rows of ``table`` (in its order): each stratum gets its share of the sample,
    rounded by largest remainders and at least one row, then rows are drawn at random."""
    rng = np.random.default_rng(seed)
    if stratify == "none":
        picked = np.sort(rng.choice(len(table), size=size, replace=False))
        return table.iloc[picked]
    groups = table.groupby(stratify, sort=True).indices
    counts = np.array([len(rows) for rows in groups.values()])
    quota = counts * size / counts.sum()
    take = np.maximum(np.floor(quota).astype(int), 1)
    order = np.argsort(-(quota - np.floor(quota)), kind="stable")
    for i in order:
        if take.sum() >= size:
            break
        if take[i] < counts[i]:
            take[i] += 1
    picked = [
        rng.choice(rows, size=min(n, len(rows)), replace=False)
        for rows, n in zip(groups.values(), take, strict=True)
    ]
    return table.iloc[np.sort(np.concatenate(picked))]


def _probe_problems(
    base: dict[str, Any], code: str, spec: PanelFile, linemap: LineMap
) -> list[Problem]:
    """Build the first county and run it coarsely, without spin-up: the
    scenario must accept a census county and its county table must have every quantity."""
    where = linemap.get("scenario", linemap.get("name", (None, None)))
    probe = county_overrides(code) | {
        "simulation.spinup_years": 0,
        "simulation.scale": 1000,
    }
    try:
        scenario = scenario_for(base, probe)
    except ScenarioError as exc:
        first = exc.problems[0]
        message = f"the scenario cannot build census county {code}: {first.key}: {first.message}"
        return [Problem(*where, "scenario", None, message)]
    try:
        columns = set(simulate(scenario).county.columns)
    except Exception as exc:  # the model itself fails on the first county
        message = f"a probe run of county {code} fails: {type(exc).__name__}: {exc}"
        return [Problem(*where, "scenario", None, message)]
    missing = [q.model_column for q in QUANTITIES if q.model_column not in columns]
    if missing:
        message = f"the county table of the scenario lacks {', '.join(missing)}"
        return [Problem(*where, "scenario", None, message)]
    return []


def _plan_runs(spec: PanelFile, base: dict[str, Any], codes: list[str]) -> list[RunTask]:
    """Every (county, replicate) run with its seed: common random numbers give replicate r
    the same seed in every county; independent streams key it by the county too."""
    runs = []
    for point, code in enumerate(codes):
        stream = None
        if spec.streams == "independent":
            stream = stream_key({"base": base, COUNTY_PARAMETER: code})
        for r in range(spec.replicates):
            seed = replicate_seed(base["seed"], r, stream)
            runs.append(RunTask(run_id(point, r), point, r, seed, {COUNTY_PARAMETER: code}))
    return runs
