"""Saving a model's state at the end of a year and continuing a run from it (a fork).

A state folder holds everything the yearly loop carries from one year to the next: the
persons and households, the place state, every module's state (with the extension points
that link modules), the tally and the rows recorded so far, this year's levers, and the
random generator's state. A run continued from it with the same scenario is the run that
was never interrupted, row for row. With another scenario, only what has not acted yet may
differ: lever schedules from the year after the state's (a reform that starts later), and
the last simulated year. Anything else (the county, its places, the scale, the seed, any
parameter that modules read when they are set up) would not reach a model that is already
built, so such a scenario is refused, as is a state written by another version.

Files: `state.json` (version, year, the scenario it was written with, the format) and
`model.pkl` (the pickled parts). A pickle runs code when it is read: load only states that
you or your own runs wrote.
"""

from __future__ import annotations

import copy
import json
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mesa

from countysim import __version__
from countysim.agents import Place
from countysim.config import resolved_dict
from countysim.config.schedule import value_at
from countysim.config.schema import Scenario
from countysim.model import CountyModel

STATE_FORMAT = 1
META = "state.json"
PARTS = "model.pkl"
#: Scenario keys that may differ from those of the state, besides lever schedules: they
#: act only after the state's year, or only label the run.
FREE_KEYS = ("name", "description", "years.end")


class StateError(ValueError):
    """A state folder that cannot be written or used (exit status 2 on the command line)."""

    exit_code = 2


def _mesa_keys() -> frozenset[str]:
    """Attributes that `mesa.Model.__init__` sets: a restored model gets fresh ones."""
    bare = mesa.Model(rng=0)
    keys = frozenset(vars(bare))
    mesa.Agent._ids.pop(bare, None)
    return keys


def _lever_schedules(model: CountyModel, scenario: Scenario) -> dict[str, object]:
    schedules: dict[str, object] = {}
    for module in model.modules:
        schedules.update(module.levers(scenario))
    return schedules


def save_state(model: CountyModel, directory: str | os.PathLike, *, overwrite: bool = False):
    """Write the model's state (at the end of `model.year`) to a new folder `directory`.
    An existing folder is refused, unless `overwrite` and it is a state folder."""
    out = check_state_target(directory, overwrite=overwrite)
    meta = _meta(model)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        (tmp / PARTS).write_bytes(_pickled_parts(model))
        (tmp / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        tmp.rename(out)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return out


def _meta(model: CountyModel) -> dict:
    return {
        "countysim_version": __version__,
        "format": STATE_FORMAT,
        "year": model.year,
        "scenario": resolved_dict(model.scenario),
    }


def _pickled_parts(model: CountyModel) -> bytes:
    keys = _mesa_keys()
    parts = {k: v for k, v in vars(model).items() if k not in keys and k != "place_agents"}
    state = {"parts": parts, "rng": model.rng.bit_generator.state}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


@dataclass(frozen=True)
class MemoryState:
    """A saved state held in memory (what a state folder holds), e.g. to continue several
    runs from one shared beginning in one process without writing files."""

    meta: dict
    parts: bytes

    @property
    def year(self) -> int:
        return self.meta["year"]


def state_in_memory(model: CountyModel) -> MemoryState:
    """The model's state at the end of `model.year`, as `save_state` would write it."""
    return MemoryState(_meta(model), _pickled_parts(model))


def check_state_target(directory: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Raise StateError unless a state may be written at `directory` (checked before a run
    starts, so that nothing runs for a state that could not be kept)."""
    out = Path(directory)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise StateError(f"{out} exists and is not a folder; choose a new folder for the state")
    if out.exists() and any(out.iterdir()):
        if not overwrite:
            raise StateError(f"{out} exists; choose a new folder, or pass --overwrite")
        if not (out / META).is_file() or not (out / PARTS).is_file():
            raise StateError(f"{out} is not a countysim state folder; it is left as it is")
    return out


def read_meta(directory: str | os.PathLike) -> dict:
    meta_file = Path(directory) / META
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StateError(f"{directory} is not a readable countysim state: {exc}") from None
    if not isinstance(meta, dict) or "countysim_version" not in meta:
        raise StateError(f"{meta_file} is not a countysim state")
    return meta


def load_state(directory: str | os.PathLike, scenario: Scenario) -> CountyModel:
    """A model at the end of the state's year, to be continued under `scenario`."""
    meta = read_meta(directory)
    if meta["countysim_version"] != __version__ or meta.get("format") != STATE_FORMAT:
        raise StateError(
            f"{directory} was written by countysim {meta['countysim_version']} (state format "
            f"{meta.get('format')}); this is countysim {__version__} (format {STATE_FORMAT}). "
            "Save the state again with this version"
        )
    return _restore(meta, (Path(directory) / PARTS).read_bytes(), scenario, directory)


def continue_in_memory(state: MemoryState, scenario: Scenario) -> CountyModel:
    """A model restored from a state in memory, to be continued under `scenario` (refused
    like `load_state` refuses one, if the scenario differs in more than later levers)."""
    return _restore(state.meta, state.parts, scenario, "memory")


def _restore(meta: dict, parts: bytes, scenario: Scenario, directory) -> CountyModel:
    saved = pickle.loads(parts)
    model = CountyModel.__new__(CountyModel)
    mesa.Model.__init__(model, rng=scenario.seed)
    vars(model).update(saved["parts"])
    model.rng.bit_generator.state = saved["rng"]
    model.place_agents = [Place(model, i) for i in range(model.world.n)]
    check_compatible(model, meta, scenario, directory)
    model.scenario = scenario
    model.policy.schedules = _lever_schedules(model, scenario)
    model.running = model.year < scenario.years.end
    return model


def check_compatible(model: CountyModel, meta: dict, scenario: Scenario, directory) -> None:
    """Refuse a scenario that differs from the state's in anything but later lever values,
    the last year and its name."""
    year = meta["year"]
    problems = [
        f"lever {path} differs in {first}, not after the state's year {year}"
        for path, first in sorted(lever_differences(model, model.scenario, scenario).items())
        if first <= year
    ]
    paths = _lever_schedules(model, model.scenario)
    saved, new = fixed_settings(meta["scenario"], paths), fixed_settings(scenario, paths)
    problems += [f"{key} differs" for key in _differences(saved, new)]
    if scenario.years.end <= year:
        problems.append(f"years.end {scenario.years.end} is not after the state's year {year}")
    if problems:
        raise StateError(
            f"the state in {directory} (end of {year}) cannot continue "
            "under this scenario: " + "; ".join(problems) + ". Only lever values after the "
            "state's year and years.end may change"
        )


def lever_differences(model, old: Scenario, new: Scenario) -> dict[str, int]:
    """The first year (from `old`'s first year to the later last year) in which each lever
    of `model`'s modules has another value under `new` than under `old`; levers that agree
    in every year are left out. Only a module's `levers` is used, so any model will do."""
    old_levers, new_levers = _lever_schedules(model, old), _lever_schedules(model, new)
    years = range(old.years.start, max(old.years.end, new.years.end) + 1)
    first = {}
    for path, schedule in old_levers.items():
        changed = (y for y in years if value_at(schedule, y) != value_at(new_levers[path], y))
        if (year := next(changed, None)) is not None:
            first[path] = year
    return first


def fixed_settings(scenario: Scenario | dict, lever_paths) -> dict:
    """A scenario's resolved values that a state fixes: all but the levers and FREE_KEYS.
    Two scenarios whose fixed settings are equal may continue each other's states."""
    tree = copy.deepcopy(scenario) if isinstance(scenario, dict) else resolved_dict(scenario)
    for path in (*lever_paths, *FREE_KEYS):
        _drop(tree, path)
    return tree


def _drop(tree: dict, dotted: str) -> None:
    *parents, leaf = dotted.split(".")
    for key in parents:
        tree = tree.get(key) if isinstance(tree, dict) else None
        if tree is None:
            return
    if isinstance(tree, dict):
        tree.pop(leaf, None)


def _differences(a, b, prefix: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b)):
            out += _differences(a.get(key), b.get(key), f"{prefix}{key}.")
        return out
    return [] if a == b else [prefix.rstrip(".")]
