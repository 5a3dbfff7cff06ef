"""Run many random valid scenarios and count the runs that fail or report impossible numbers.

Each scenario is the baseline with every behavioural and policy number redrawn within the
schema's bounds (``countysim.config.random_scenarios``), on a small county over a few years.
A run is bad if it raises, or if a population or income in its county or places table is
NaN, infinite or negative. Prints one line per bad run and a summary, including which other
county columns were ever not finite (ratios of empty groups, for information).

    python benchmarks/random_scenarios.py --runs 200 --seed 1
"""

from __future__ import annotations

import argparse
import collections
import time
import warnings
from pathlib import Path

import numpy as np

from countysim.config import resolved_dict
from countysim.config.random_scenarios import random_scenario
from countysim.runner import prepare, simulate

ROOT = Path(__file__).resolve().parents[1]
SMALL_COUNTY = {
    "county.generate.registered_population": 5000,
    "county.generate.townships": 2,
    "county.generate.villages_per_township": 3,
    "simulation.scale": 10,
    "simulation.spinup_years": 1,
    "years.end": 2015,
}
#: Columns that count persons or income: never NaN, infinite or negative.
COUNTY_CHECKED = ("residents_", "registered_", "population_", "income_urban", "income_rural")
PLACES_CHECKED = ("residents", "registered", "income_pc", "wage")


def impossible(results) -> list[str]:
    """The person and income columns of a run that hold NaN, infinite or negative numbers."""
    bad = []
    tables = (
        (results.county, [c for c in results.county if c.startswith(COUNTY_CHECKED)]),
        (results.places, [c for c in PLACES_CHECKED if c in results.places]),
    )
    for table, columns in tables:
        for column in columns:
            values = table[column].to_numpy(dtype=float)
            if not np.isfinite(values).all() or (values < 0).any():
                bad.append(column)
    return bad


def base_scenario() -> dict:
    return resolved_dict(prepare(ROOT / "scenarios" / "baseline.yaml", SMALL_COUNTY))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--wide", type=float, default=0.2, help="share of full-range draws")
    args = parser.parse_args()
    base = base_scenario()
    rng = np.random.default_rng(args.seed)
    failed, impossible_runs = 0, 0
    other_nonfinite: collections.Counter[str] = collections.Counter()
    seconds = []
    for index in range(args.runs):
        scenario = random_scenario(base, rng, wide=args.wide)
        started = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                results = simulate(scenario)
        except Exception as exc:  # a crash is what this script counts
            failed += 1
            print(f"run {index}: {type(exc).__name__}: {exc}")
            continue
        seconds.append(time.perf_counter() - started)
        if bad := impossible(results):
            impossible_runs += 1
            print(f"run {index}: impossible values in {', '.join(bad)}")
        numbers = results.county.select_dtypes("number")
        other_nonfinite.update(c for c in numbers if not np.isfinite(numbers[c]).all())
    ok = args.runs - failed - impossible_runs
    print(
        f"{args.runs} random scenarios: {ok} clean, {failed} raised, {impossible_runs} with "
        f"impossible person or income numbers; median run {np.median(seconds):.2f} s"
    )
    if other_nonfinite:
        listed = ", ".join(f"{c} ({n})" for c, n in other_nonfinite.most_common())
        print(f"county columns ever not finite (runs): {listed}")


if __name__ == "__main__":
    main()
