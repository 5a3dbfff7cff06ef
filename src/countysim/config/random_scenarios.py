"""Random valid scenarios: every behavioural and policy number drawn within the schema's bounds.

For robustness checks: whatever a user writes that the schema accepts, a run must not end in
NaN, infinities or negative counts. ``random_scenario`` starts from a resolved scenario (the
baseline) and redraws each number outside the fixed sections (name, seed, years,
simulation, county, the education shares that must sum to one) from its bounds: with
probability ``wide`` uniformly over the whole allowed range where it is finite, otherwise
around the starting value (a log-normal factor for positive numbers, clipped to the
bounds). Levers get a number or a two-point ramp. Candidates the schema rejects as a whole
(e.g. contract ends out of order) are drawn again.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .errors import ScenarioError
from .keys import Step
from .schedule import is_schedule
from .schema import Scenario
from .schema_nav import schema_node
from .validation import validate

#: Sections a random scenario keeps as they are (size and length of the run, identity).
FIXED = ("name", "description", "seed", "years", "simulation", "county")
#: Keys whose values are tied to each other by the schema (shares summing to one).
TIED = ("population.education_shares", "population.education_shares_urban_hukou")
#: Spread of the log-normal factor around the starting value.
LOG_SPREAD = 0.4


def random_scenario(
    base: Mapping[str, Any],
    rng: np.random.Generator,
    *,
    wide: float = 0.2,
    spread: float = LOG_SPREAD,
    attempts: int = 50,
) -> Scenario:
    """A validated scenario: ``base`` (resolved scenario data) with its numbers redrawn
    (``wide``: share of draws over the whole allowed range; ``spread``: sd of the log-normal
    factor of the other draws)."""
    for _ in range(attempts):
        data = copy.deepcopy(dict(base))
        first, last = data["years"]["start"], data["years"]["end"]
        for key in data:
            if key not in FIXED:
                data[key] = _redraw(data[key], (key,), rng, (wide, spread), (first, last))
        try:
            return validate(data, {"": ("<random>", None)}, Scenario)
        except ScenarioError:
            continue
    raise RuntimeError(f"no valid random scenario in {attempts} attempts")


def _redraw(value: Any, steps: tuple[Step, ...], rng, wide, years: tuple[int, int]):
    key = ".".join(str(step) for step in steps)
    if key in TIED:
        return value
    if is_schedule(value):
        return _lever(steps, rng, wide, years, _first_value(value))
    if isinstance(value, dict):
        return {k: _redraw(v, (*steps, k), rng, wide, years) for k, v in value.items()}
    if isinstance(value, list):
        return [_redraw(v, (*steps, i), rng, wide, years) for i, v in enumerate(value)]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return _number(value, schema_node(Scenario, steps).bounds(), rng, wide)


def _first_value(schedule: dict) -> float:
    """The value of a schedule's first point (``{steps|ramp: [[year, value], ...]}``)."""
    (points,) = schedule.values()
    return float(points[0][1])


def _lever(steps, rng, wide, years: tuple[int, int], start: float) -> Any:
    bounds = schema_node(Scenario, steps).bounds()
    first = _number(start, bounds, rng, wide)
    if rng.random() < 0.5 or years[0] == years[1]:
        return first
    second = _number(start, bounds, rng, wide)
    return {"ramp": [[years[0], first], [years[1], second]]}


def _number(value: float, bounds: Mapping[str, float], rng, how) -> float | int:
    wide, spread = how
    low = max(bounds.get("ge", -math.inf), bounds.get("gt", -math.inf))
    high = min(bounds.get("le", math.inf), bounds.get("lt", math.inf))
    if math.isfinite(low) and math.isfinite(high) and rng.random() < wide:
        drawn = rng.uniform(low, high)
    elif value > 0:
        drawn = value * math.exp(rng.normal(0.0, spread))
    else:
        drawn = value + rng.normal(0.0, spread) * (1.0 if value == 0 else abs(value))
    # Strict bounds (gt, lt) exclude the bound itself; keep a small margin inside them.
    margin = 1e-6 * max(1.0, abs(drawn))
    drawn = min(max(drawn, low + margin if "gt" in bounds else low), high)
    if "lt" in bounds:
        drawn = min(drawn, high - margin)
    if isinstance(value, int):
        drawn = round(drawn)
        drawn = max(drawn, math.ceil(low)) if math.isfinite(low) else drawn
        drawn = min(drawn, math.floor(high)) if math.isfinite(high) else drawn
    return drawn
