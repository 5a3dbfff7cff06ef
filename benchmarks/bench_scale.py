"""Run time and memory of the baseline at several county sizes.

Prints seconds per simulated year, microseconds per person-year and peak memory for
50,000, 450,000 and 1,000,000 registered people (2012-2035, the baseline scenario).
Each size runs in a fresh process so that peak memory is that run's own.

    python benchmarks/bench_scale.py [--sizes 50000 450000 1000000]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def one_run(size: int) -> dict:
    from countysim.model import CountyModel
    from countysim.runner import prepare

    sc = prepare(BASELINE, [f"county.generate.registered_population={size}"])
    t0 = time.perf_counter()
    model = CountyModel(sc)
    t_init = time.perf_counter() - t0
    person_years = 0
    t1 = time.perf_counter()
    for _ in range(sc.years.start, sc.years.end + 1):
        model.step()
        person_years += len(model.persons)
    t_run = time.perf_counter() - t1
    model.recorder.tables()
    years = sc.years.end - sc.years.start + 1
    return {
        "size": size,
        "init_s": t_init,
        "run_s": t_run,
        "s_per_year": t_run / years,
        "us_per_person_year": 1e6 * t_run / person_years,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 450_000, 1_000_000])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(one_run(args.child)))
        return
    header = ("people", "setup s", "run s", "s/year", "us/person-yr", "peak MB")
    widths = (10, 8, 7, 7, 13, 8)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for size in args.sizes:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(size)],
            capture_output=True,
            text=True,
            check=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"{r['size']:>10,} {r['init_s']:>8.1f} {r['run_s']:>7.1f} {r['s_per_year']:>7.2f} "
            f"{r['us_per_person_year']:>13.2f} {r['peak_mb']:>8.0f}"
        )


if __name__ == "__main__":
    main()
