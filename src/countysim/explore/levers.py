"""What a browser view asks for, turned into scenarios: the county, the settings and the levers.

A view names a county (a scenario file), the run settings (scale, years, replicates) and a
strength and start year for each of the five reforms. The reforms are not defined here:
each is the difference between a shipped reform scenario and ``baseline.yaml``, lever by
lever and year by year. Strength 1 with the reform's own start year applies exactly that
difference; strength 0.5 half of it, 2 twice it; another start year shifts it in time. The
result is written as ``--set`` overrides with yearly ``steps`` schedules, so the scenario
goes through the same loader and checks as a file on the command line, and a bad value
fails with the loader's own ``ScenarioError``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, get_args, get_origin

from pydantic import BaseModel

from countysim.config import ScenarioError, load_scenario
from countysim.config.schedule import value_at
from countysim.config.schema import Scenario
from countysim.runner import prepare

#: Strength of a reform: 0 is off, 1 the reform scenario as written, 2 twice its change.
STRENGTH_RANGE = (0.0, 2.0)
#: Replicates per scenario a view may ask for: a browser view stays interactive.
REPLICATE_RANGE = (1, 20)
BASELINE_FILE = "baseline.yaml"
#: The scenario a census county is run with (its code set by the view).
CENSUS_FILE = "census_county.yaml"


@dataclass(frozen=True)
class Reform:
    """One of the five reforms: a name, a label and the scenario file that defines it."""

    name: str
    label: str
    file: str


REFORMS = (
    Reform("hukou", "Hukou settlement and residence permits", "hukou_relaxation.yaml"),
    Reform("land", "Land contract extension and leasing rights", "land_extension.yaml"),
    Reform("pensions", "Pension portability and migrant coverage", "pension_portability.yaml"),
    Reform("finance", "Money follows residents", "resident_based_finance.yaml"),
    Reform("county_town", "County-town investment", "county_town_investment.yaml"),
)


@dataclass(frozen=True)
class LeverSetting:
    strength: float = 0.0
    start: int | None = None  # None: the reform scenario's own start year


@dataclass(frozen=True)
class View:
    """Everything a run of the browser app depends on; equal views give equal runs."""

    scenario: str  # path of the county's scenario file
    scale: int
    start: int
    end: int
    replicates: int = 1
    levers: tuple[tuple[str, LeverSetting], ...] = ()
    extra: tuple[str, ...] = ()  # further ``key=value`` overrides, as with ``--set``
    census_code: str | None = None  # a census county, with a scenario of ``county.census``
    each_alone: bool = False  # with several levers on, also run each lever on its own

    def lever(self, name: str) -> LeverSetting:
        return dict(self.levers).get(name, LeverSetting())

    @property
    def active_levers(self) -> list[tuple[str, LeverSetting]]:
        return [(name, s) for name, s in self.levers if s.strength != 0.0]


@dataclass
class ReformPath:
    """A reform's change to each lever it moves, as the baseline and reform schedules."""

    reform: Reform
    keys: list[str]
    baseline: dict[str, Any]  # key -> schedule object of baseline.yaml
    reformed: dict[str, Any]  # key -> schedule object of the reform file
    default_start: int

    def change(self, key: str, year: int, shift: int) -> float:
        """The reform's change to ``key`` in ``year`` when started ``shift`` years late."""
        return value_at(self.reformed[key], year - shift) - value_at(
            self.baseline[key], year - shift
        )


@dataclass
class Plan:
    """The scenarios of a view: the county as it is and, if any lever is on, reformed."""

    view: View
    baseline: Scenario
    reform: Scenario | None
    lever_overrides: list[str] = field(default_factory=list)
    singles: dict[str, Scenario] = field(default_factory=dict)  # reform name -> it alone


def scenario_files(directory: Path) -> list[Path]:
    """The scenario files of a folder, baseline first (sweep files live in a subfolder)."""
    files = sorted(directory.glob("*.yaml"))
    return sorted(files, key=lambda p: (p.name != BASELINE_FILE, p.name))


def bounds(key: str, schema: type[BaseModel] = Scenario) -> dict[str, float]:
    """The ``ge``/``gt``/``le``/``lt`` bounds the schema puts on the value at a dotted key
    (for a lever schedule, the bounds of each of its values)."""
    annotation: Any = schema
    for step in key.split("."):
        model = _model_in(annotation)
        if model is None or step not in model.model_fields:
            raise KeyError(f"{key!r} is not a key of the scenario schema")
        info = model.model_fields[step]
        annotation = (
            Annotated[info.annotation, *info.metadata] if info.metadata else info.annotation
        )
    found: dict[str, float] = {}
    _collect_bounds(annotation, found)
    return found


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        model = _model_in(arg)
        if model is not None:
            return model
    return None


def _collect_bounds(annotation: Any, found: dict[str, float]) -> None:
    """Bounds from ``Annotated`` metadata, searched through unions and schedule forms (the
    number form of a schedule carries them, its steps and ramp forms repeat them)."""
    if get_origin(annotation) is Annotated:
        _, *metadata = get_args(annotation)
        for item in metadata:
            for name in ("ge", "gt", "le", "lt"):
                value = getattr(item, name, None)
                if value is None:
                    for inner in getattr(item, "metadata", ()):
                        value = getattr(inner, name, value)
                if value is not None:
                    found.setdefault(name, value)
    for arg in get_args(annotation):
        if arg is not annotation:
            _collect_bounds(arg, found)


def clamp(value: float, key: str) -> float:
    """``value`` moved inside the schema's bounds for ``key`` (open bounds included)."""
    b = bounds(key)
    low = b.get("ge", b.get("gt"))
    high = b.get("le", b.get("lt"))
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value


def _lever(sc: Scenario, key: str) -> Any:
    obj: Any = sc
    for step in key.split("."):
        obj = getattr(obj, step)
    return obj


def _leaf_keys(a: Mapping, b: Mapping, prefix: str = "") -> Iterable[str]:
    """Dotted keys whose values differ between two resolved scenarios, stopping at lever
    schedules (``{steps: ...}``, ``{ramp: ...}``), which count as one value."""
    for name in a:
        key = f"{prefix}{name}"
        va, vb = a[name], b.get(name)
        if va == vb or name in ("name", "description"):
            continue
        if isinstance(va, dict) and isinstance(vb, dict) and not ({"steps", "ramp"} & va.keys()):
            yield from _leaf_keys(va, vb, key + ".")
        else:
            yield key


def reform_paths(directory: Path) -> dict[str, ReformPath]:
    """Each reform's lever changes, read from its scenario file and ``baseline.yaml``."""
    baseline = load_scenario(directory / BASELINE_FILE)
    base_dict = baseline.model_dump(mode="json")
    paths = {}
    for reform in REFORMS:
        reformed = load_scenario(directory / reform.file)
        keys = list(_leaf_keys(reformed.model_dump(mode="json"), base_dict))
        years = range(baseline.years.start, 2101)
        starts = [
            next(
                y
                for y in years
                if value_at(_lever(reformed, k), y) != value_at(_lever(baseline, k), y)
            )
            for k in keys
            if any(
                value_at(_lever(reformed, k), y) != value_at(_lever(baseline, k), y) for y in years
            )
        ] or [baseline.years.start]
        paths[reform.name] = ReformPath(
            reform=reform,
            keys=keys,
            baseline={k: _lever(baseline, k) for k in keys},
            reformed={k: _lever(reformed, k) for k in keys},
            # When most of its levers start to move: a reform file may also restate a
            # lever's history (hukou: land kept by settlers), which is not its start.
            default_start=max(set(starts), key=lambda y: (starts.count(y), y)),
        )
    return paths


def _steps_text(points: list[tuple[int, float]]) -> str:
    return "{steps: [" + ", ".join(f"[{y}, {v!r}]" for y, v in points) + "]}"


def lever_overrides(county: Scenario, view: View, paths: Mapping[str, ReformPath]) -> list[str]:
    """``key={steps: ...}`` overrides putting the view's levers on top of ``county``.

    Each lever's value in every year of the run is the county's own value plus the sum over
    reforms of strength x the reform's change (shifted to the chosen start year), moved
    inside the schema's bounds.
    """
    years = range(county.years.start, county.years.end + 1)
    values: dict[str, list[float]] = {}
    for name, setting in view.active_levers:
        path = paths[name]
        shift = (setting.start if setting.start is not None else path.default_start) - (
            path.default_start
        )
        for key in path.keys:
            own = values.setdefault(key, [value_at(_lever(county, key), y) for y in years])
            for i, year in enumerate(years):
                own[i] += setting.strength * path.change(key, year, shift)
    out = []
    for key, series in values.items():
        points: list[tuple[int, float]] = []
        for year, value in zip(years, series, strict=True):
            value = round(clamp(value, key), 9)
            if not points or points[-1][1] != value:
                points.append((year, value))
        out.append(f"{key}={_steps_text(points)}")
    return out


def settings_overrides(view: View) -> list[str]:
    code = view.census_code
    census = [f'county.census.code="{code}"', f"name=census_{code}"] if code else []
    return [
        *census,
        f"simulation.scale={view.scale}",
        f"years.start={view.start}",
        f"years.end={view.end}",
        *view.extra,
    ]


def plan(view: View, paths: Mapping[str, ReformPath]) -> Plan:
    """The checked scenarios of a view; raises ``ScenarioError`` for anything invalid."""
    unknown = [name for name, _ in view.levers if name not in paths]
    if unknown:
        raise ValueError(f"unknown reforms {unknown}; choose from {', '.join(paths)}")
    baseline = prepare(view.scenario, settings_overrides(view))
    if not view.active_levers:
        return Plan(view, baseline, None)
    reform = _reformed(view, baseline, view.active_levers, f"{baseline.name}_reformed", paths)
    singles = {}
    if view.each_alone and len(view.active_levers) > 1:
        for name, setting in view.active_levers:
            alone = f"{baseline.name}_{name}"
            singles[name] = _reformed(view, baseline, [(name, setting)], alone, paths)
    levers = lever_overrides(baseline, view, paths)
    return Plan(view, baseline, reform, levers, singles)


def _reformed(
    view: View,
    baseline: Scenario,
    active: list[tuple[str, LeverSetting]],
    name: str,
    paths: Mapping[str, ReformPath],
) -> Scenario:
    """The view's county with the ``active`` levers on, under ``name``."""
    only = replace(view, levers=tuple(active))
    levers = lever_overrides(baseline, only, paths)
    reform = prepare(view.scenario, [*settings_overrides(view), *levers, f"name={name}"])
    described = ", ".join(
        f"{paths[n].reform.label.lower()} at strength {s.strength:g} from "
        f"{s.start if s.start is not None else paths[n].default_start}"
        for n, s in active
    )
    return reform.model_copy(
        update={"description": f"{baseline.name} with {described} (built in countysim explore)"}
    )


__all__ = [
    "REFORMS",
    "REPLICATE_RANGE",
    "STRENGTH_RANGE",
    "LeverSetting",
    "Plan",
    "Reform",
    "ReformPath",
    "ScenarioError",
    "View",
    "bounds",
    "clamp",
    "lever_overrides",
    "plan",
    "reform_paths",
    "scenario_files",
]
