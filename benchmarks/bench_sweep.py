"""Sweep throughput: runs per minute of a 20,000-person county over 2012-2035.

Runs the same small Latin-hypercube sweep (one run per design point) with process pools of
each given size and with a local Dask cluster, and prints runs per minute and the parallel
efficiency against one worker (rate / (workers x rate of one worker)). Times include
starting the workers, as a user would see them; each is the best of ``--repeat`` rounds
(the rounds interleave the executors), which keeps other work on a shared machine out of
the figures. Every executor must give the same numbers, which is checked too.

    python benchmarks/bench_sweep.py [--runs 8] [--repeat 2] [--workers 1 2] [--no-dask]
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time
from pathlib import Path

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

SWEEP = """\
name: bench_sweep
base: {base}
set:
  county.generate.registered_population: {population}
  county.generate.townships: 3
  county.generate.villages_per_township: 6
design:
  kind: lhs
  samples: {runs}
  seed: 1
parameters:
  choice.moving_cost: {{bounds: [0.6, 2.0]}}
  choice.income_weight: {{bounds: [0.8, 2.5]}}
outputs:
  urbanization_2035: {{column: urbanization_resident, year: 2035}}
"""


def measure(plan, directory: Path, executor: str, workers: int) -> tuple[float, list[float]]:
    """Seconds for the whole sweep, and its outputs in run order."""
    from countysim.experiments import run_sweep

    started = time.perf_counter()
    outcome = run_sweep(plan, directory, executor=executor, workers=workers, progress=False)
    seconds = time.perf_counter() - started
    runs = outcome.store.runs()
    if outcome.failed:
        first = runs.loc[runs["status"] != "ok", "error"].iloc[0]
        raise RuntimeError(f"{outcome.failed} runs failed with {executor}, the first with: {first}")
    return seconds, runs["urbanization_2035"].tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=8, help="runs per measurement")
    parser.add_argument("--repeat", type=int, default=2, help="rounds; the best one counts")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--population", type=int, default=20_000)
    parser.add_argument("--no-dask", action="store_true", help="skip the Dask local cluster")
    args = parser.parse_args()

    from countysim.experiments import load_sweep

    with tempfile.TemporaryDirectory() as tmp:
        sweep_file = Path(tmp) / "bench_sweep.yaml"
        text = SWEEP.format(base=BASELINE, population=args.population, runs=args.runs)
        sweep_file.write_text(text, encoding="utf-8")
        plan = load_sweep(sweep_file)
        cases = [("process", n) for n in args.workers]
        if not args.no_dask and importlib.util.find_spec("distributed") is not None:
            cases.append(("dask", max(args.workers)))
        print(
            f"{args.runs} runs of a {args.population:,}-person county, "
            f"{plan.base['years']['start']}-{plan.base['years']['end']}"
        )
        best = dict.fromkeys(cases, float("inf"))
        reference = None
        for round_ in range(args.repeat):
            for executor, workers in cases:
                store = Path(tmp) / f"{executor}{workers}-{round_}"
                seconds, outputs = measure(plan, store, executor, workers)
                if reference is None:
                    reference = outputs
                elif outputs != reference:
                    raise AssertionError(f"{executor} with {workers} workers gave other numbers")
                best[executor, workers] = min(best[executor, workers], seconds)
        print(f"{'executor':>9} {'workers':>7} {'seconds':>8} {'runs/min':>9} {'efficiency':>10}")
        single_rate = None
        for (executor, workers), seconds in best.items():
            rate = args.runs / seconds * 60
            if executor == "process" and workers == 1:
                single_rate = rate
            efficiency = f"{rate / (workers * single_rate):.0%}" if single_rate else "-"
            print(f"{executor:>9} {workers:>7} {seconds:>8.1f} {rate:>9.1f} {efficiency:>10}")


if __name__ == "__main__":  # guarded: worker processes are started with spawn
    main()
