"""Time to build a county from the 2010 census: its places and its persons.

For counties of several sizes (residents near each given size, non-district units), prints
the CPU time of building the world and the initial population (``build_world`` and
``initial_population``), the best of ``--repeat`` builds, and the rows built (residents
plus registered persons living away), at scale 1, with BLAS pinned to one thread.

    python benchmarks/bench_census_build.py [--sizes 100000 400000 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "census_county.yaml"


def nearest_county(size: int) -> str:
    from countysim.census import census_2010

    table = census_2010()
    units = table[table["unit_type"] != "district"]
    return str((units["residents"] - size).abs().idxmin())


def build_seconds(code: str, repeat: int) -> tuple[float, int, int]:
    from countysim.config import load_scenario
    from countysim.population_build import initial_population
    from countysim.world import build_world

    sc = load_scenario(SCENARIO, [f"county.census.code={code}", "simulation.scale=1"])
    best, rows, places = float("inf"), 0, 0
    for seed in range(repeat):
        rng = np.random.default_rng(seed)
        t0 = time.process_time()
        world = build_world(sc, rng)
        persons, _ = initial_population(sc, world, rng)
        best = min(best, time.process_time() - t0)
        rows, places = len(persons), world.n
    return best, rows, places


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 400_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from threadpoolctl import threadpool_limits

    from countysim.census import unit

    threadpool_limits(1)
    build_seconds(nearest_county(args.sizes[0]), 1)  # read the table and warm up imports
    print(f"{'code':>6}  {'residents':>10}  {'rows':>10}  {'places':>6}  {'build s':>7}")
    for size in args.sizes:
        code = nearest_county(size)
        seconds, rows, places = build_seconds(code, args.repeat)
        residents = int(unit(code)["residents"])
        print(f"{code:>6}  {residents:>10,}  {rows:>10,}  {places:>6}  {seconds:>7.2f}")


if __name__ == "__main__":
    main()
