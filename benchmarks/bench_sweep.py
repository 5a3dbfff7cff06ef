"""Sweep throughput and parallel efficiency, measured on this machine and modelled beyond it.

Runs the same Latin-hypercube sweep of a 20,000-person county (one run per design point)
with a process pool of each given size and with a local Dask cluster (``--dask-workers``),
and prints runs per minute and the parallel efficiency against one worker, rate / (workers
x rate of one worker). Times include starting the workers, as a user sees them. Every
executor must give the same numbers, which is checked too. Beside each figure it prints the
cores the sweep got (CPU seconds of its processes over its wall time): on a machine shared
with other work, fewer cores than workers explain a low efficiency; ``--repeat`` rounds,
interleaved, keep the fastest of each case.

It also measures the fixed costs around the runs and uses them in a model of the efficiency
at more workers than this machine has (printed as modelled, with the measured cases beside
the model's figure for them):

- worker start: spawning a worker and importing Mesa and the model in it, once per worker;
  the workers of a pool start side by side, so the pool pays it about once;
- per run, in the worker: reading the design point into a scenario, setting up the model
  (building the county and the spin-up), simulating, collecting the results, writing the
  chunk's Parquet part; all of this divides among the workers;
- per run, in the parent: handing out chunks and counting what finished (its CPU time
  during the sweep, divided by the runs; this includes the sweep-level costs, so it errs
  on the high side);
- per sweep, in the parent: opening the store and finding the runs to do.

With R runs of t seconds each (all work in the worker), p seconds of parent work per run,
a worker start s and sweep costs S, N workers on N cores take

    T(N) = S + s + max(R (t + p) / N, R p) + t / 2     (N > 1; no t / 2 for N = 1)

(a Dask cluster: its own start instead of s, and t longer by its own CPU per CPU second of
runs beyond the pool's, measured with stand-in runs of known CPU time), where t / 2 is the
mean idle time at the end (the last chunks hold one run each, so workers finish within one
run of each other) and max(...) is the runs' share of the cores unless the parent is the
bottleneck. The efficiency is T(1) / (N T(N)). Not modelled: slower runs
when many share memory bandwidth and caches, and slower worker starts when many import
from one disk at once; both lower real figures on a big machine.

Forked sweeps (``fork.py``): a lever sweep whose design points differ only in a reform
from 2020 (the share of villages with extended land contracts from 2020, ``--fork-points``
values, ``--fork-replicates`` replicates, the baseline county at ``--fork-scale``,
2012-2035) is run with the largest ``--workers`` pool twice, each run from scratch
(``fork=False``) and forked (each replicate's spin-up and years to 2019 once), and the two
stores must hold the same tables; it prints both rates and the speed-up. ``--fork-only``
measures only this.

A full measurement takes five to ten minutes on two cores (defaults), and the forked sweep
one or two more (about 25 s from scratch and 15 s forked, on two busy cores); on a bigger machine,
``--runs 500 --workers 1 2 4 8 16 --dask-workers 16`` measures the real thing.

    nice python benchmarks/bench_sweep.py [--runs 16] [--end-year 2035] [--workers 1 2]
        [--dask-workers 2] [--repeat 1] [--model-runs 500] [--model-workers 4 8 16]
        [--fork-points 8] [--fork-replicates 2] [--fork-scale 20] [--fork-only]
"""

from __future__ import annotations

import argparse
import importlib.util
import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

SWEEP = """\
name: bench_sweep
base: {base}
set:
  county.generate.registered_population: {population}
  county.generate.townships: 3
  county.generate.villages_per_township: 6
  years.end: {end}
design:
  kind: lhs
  samples: {runs}
  seed: 1
parameters:
  choice.moving_cost: {{bounds: [0.6, 2.0]}}
  choice.income_weight: {{bounds: [0.8, 2.5]}}
outputs:
  urbanization_end: {{column: urbanization_resident, year: {end}}}
"""


LEVER_SWEEP = """\
name: bench_fork
base: {base}
set:
  simulation.scale: {scale}
  land.contract_extension: {{steps: [[2012, 0.0], [2020, 0.5]]}}
design:
  kind: grid
parameters:
  land.contract_extension.steps[1][1]: {{values: {values}}}
replicates: {replicates}
outputs:
  urbanization_end: {{column: urbanization_resident, year: 2035}}
"""


@dataclass
class Measured:
    executor: str
    workers: int
    seconds: float
    parent_cpu: float
    worker_cpu: float  # CPU seconds of the worker processes (and their children)
    outputs: list[float]

    @property
    def cores(self) -> float:
        """Cores the sweep got on average: below the worker count, other work had the rest."""
        return (self.parent_cpu + self.worker_cpu) / self.seconds


def measure(plan, directory: Path, executor: str, workers: int, fork: bool = True) -> Measured:
    """One sweep into a new store: wall seconds, the parent's CPU seconds, the outputs."""
    from countysim.experiments import run_sweep

    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    outcome = run_sweep(
        plan, directory, executor=executor, workers=workers, progress=False, fork=fork
    )
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    children = _children_cpu() - children  # the workers have exited and been waited for
    runs = outcome.store.runs()
    if outcome.failed:
        first = runs.loc[runs["status"] != "ok", "error"].iloc[0]
        raise RuntimeError(f"{outcome.failed} runs failed with {executor}, the first with: {first}")
    return Measured(executor, workers, wall, cpu, children, runs["urbanization_end"].tolist())


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def start_seconds(executor: str, workers: int) -> tuple[float, float]:
    """Starting an executor until its workers have imported the model and answered: wall
    seconds, and CPU seconds of all its processes (closing it included)."""
    from countysim.experiments.execution import open_executor

    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    with open_executor(executor, workers=workers) as (pool, _):
        pool.submit(int).result()
        wall = time.perf_counter() - wall
    return wall, time.process_time() - cpu + _children_cpu() - children


def spin(seconds: float) -> float:
    """A stand-in run: exactly ``seconds`` of this thread's CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass
    return seconds


def executor_share(executor: str, workers: int, seconds: float = 2.0) -> float:
    """The executor's own CPU time per CPU second of runs: stand-in runs of known CPU time
    through it, with its start and close (measured alone) taken off. CPU times, unlike wall
    times, hold up on a machine busy with other work."""
    from countysim.experiments.execution import open_executor

    tasks = 4 * workers
    _, alone = start_seconds(executor, workers)
    cpu, children = time.process_time(), _children_cpu()
    with open_executor(executor, workers=workers) as (pool, _):
        for future in [pool.submit(spin, seconds) for _ in range(tasks)]:
            future.result()
    total = time.process_time() - cpu + _children_cpu() - children
    return max(0.0, (total - alone - tasks * seconds) / (tasks * seconds))


def run_phases(plan, directory: Path, runs: int = 2) -> dict[str, float]:
    """Mean seconds of each phase of a run, in this process (after one unmeasured run)."""
    import mesa

    from countysim.experiments.execution import RunOutput, run_task
    from countysim.experiments.scenario_model import scenario_for
    from countysim.experiments.store import PartWriter
    from countysim.model import CountyModel
    from countysim.results import Results

    (directory / "runs").mkdir(parents=True)
    (directory / "series").mkdir()
    totals = dict.fromkeys(("scenario", "setup", "simulate", "results", "write"), 0.0)
    for index, task in enumerate(plan.runs[: runs + 1]):
        clock = [time.perf_counter()]
        scenario = scenario_for(plan.model.base, task.parameters, task.seed)
        clock.append(time.perf_counter())
        model = CountyModel(scenario)
        clock.append(time.perf_counter())
        model.run()
        clock.append(time.perf_counter())
        results = Results.from_model(model)
        mesa.Agent._ids.pop(model, None)
        summary = {name: spec.evaluate(results.county) for name, spec in plan.model.outputs.items()}
        output = RunOutput(summary, {"county": results.to_df("county")})
        clock.append(time.perf_counter())
        record = run_task(lambda _parameters, _seed, done=output: done, task)
        PartWriter(directory, {})([record])
        clock.append(time.perf_counter())
        if index:  # the first run also pays for first-use costs
            for name, (a, b) in zip(totals, zip(clock, clock[1:], strict=False), strict=True):
                totals[name] += b - a
    return {name: total / runs for name, total in totals.items()}


def sweep_overhead_seconds(plan, directory: Path) -> float:
    """A sweep call with nothing left to do on a complete store: opening it, reading its
    parts and finding the runs to do."""
    from countysim.experiments import run_sweep

    started = time.perf_counter()
    run_sweep(plan, directory, executor="serial", resume=True, progress=False)
    return time.perf_counter() - started


def forked_sweep(tmp: Path, args: argparse.Namespace) -> None:
    """The lever sweep from scratch and forked, on the largest pool: rates and speed-up."""
    from countysim.experiments import SweepStore, load_sweep

    values = [round(i / max(args.fork_points - 1, 1), 3) for i in range(args.fork_points)]
    sweep_file = tmp / "bench_fork.yaml"
    text = LEVER_SWEEP.format(
        base=BASELINE, scale=args.fork_scale, values=values, replicates=args.fork_replicates
    )
    sweep_file.write_text(text, encoding="utf-8")
    plan = load_sweep(sweep_file)
    workers = max(args.workers)
    runs = len(plan.runs)
    print(
        f"\nforked sweep: a land reform from 2020 at {args.fork_points} strengths x "
        f"{args.fork_replicates} replicates = {runs} runs of the baseline county at scale "
        f"{args.fork_scale}, 2012-2035, {workers} workers"
    )
    rounds = [
        [measure(plan, tmp / f"fork{fork}-{r}", "process", workers, fork) for fork in (False, True)]
        for r in range(args.repeat)
    ]
    scratch, forked = (min(tries, key=lambda m: m.seconds) for tries in zip(*rounds, strict=True))
    stores = [SweepStore.open(tmp / f"fork{fork}-0") for fork in (False, True)]
    if not same_tables(*stores):
        raise AssertionError("the forked sweep stored other tables than the runs from scratch")
    print(f"{'':<13} {'seconds':>8} {'runs/min':>9} {'cores got':>9} {'CPU s/run':>9}")
    for label, m in (("from scratch", scratch), ("forked", forked)):
        cpu = (m.parent_cpu + m.worker_cpu) / runs
        print(
            f"{label:<13} {m.seconds:>8.1f} {runs / m.seconds * 60:>9.1f} {m.cores:>9.2f} "
            f"{cpu:>9.2f}"
        )
    cpu = [m.parent_cpu + m.worker_cpu for m in (scratch, forked)]
    print(
        f"speed-up {scratch.seconds / forked.seconds:.2f}x in wall time, "
        f"{cpu[0] / cpu[1]:.2f}x in CPU time; every stored table the same"
    )


def same_tables(store, other) -> bool:
    """Whether two stores hold the same runs and series, but for where, when and in which
    part each run was stored."""
    where = ["batch", "host", "wall_seconds", "finished_utc"]
    return store.runs().drop(columns=where).equals(other.runs().drop(columns=where)) and (
        store.series().drop(columns="batch").equals(other.series().drop(columns="batch"))
    )


def modelled_seconds(workers: int, runs: int, run: float, parent: float, fixed: float) -> float:
    """T(N) of the module docstring; ``fixed`` is the sweep's cost plus one worker start."""
    tail = run / 2 if workers > 1 else 0.0
    return fixed + max(runs * (run + parent) / workers, runs * parent) + tail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16, help="runs per measured sweep")
    parser.add_argument("--population", type=int, default=20_000)
    parser.add_argument("--end-year", type=int, default=2035)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--dask-workers", type=int, nargs="*", default=[2])
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the fastest counts")
    parser.add_argument("--model-runs", type=int, default=500, help="runs of the modelled sweep")
    parser.add_argument("--model-workers", type=int, nargs="*", default=[4, 8, 16])
    parser.add_argument("--fork-points", type=int, default=8, help="reform strengths")
    parser.add_argument("--fork-replicates", type=int, default=2)
    parser.add_argument("--fork-scale", type=int, default=20, help="persons per row")
    parser.add_argument("--fork-only", action="store_true", help="only the forked sweep")
    args = parser.parse_args()
    if args.fork_only:
        with tempfile.TemporaryDirectory() as tmp:
            forked_sweep(Path(tmp), args)
        return
    if 1 not in args.workers:
        parser.error("--workers needs 1: the efficiency is measured against one worker")
    if importlib.util.find_spec("distributed") is None:
        args.dask_workers = []

    from countysim.experiments import load_sweep

    with tempfile.TemporaryDirectory() as tmp:
        sweep_file = Path(tmp) / "bench_sweep.yaml"
        text = SWEEP.format(
            base=BASELINE, population=args.population, runs=args.runs, end=args.end_year
        )
        sweep_file.write_text(text, encoding="utf-8")
        plan = load_sweep(sweep_file)
        print(
            f"{args.runs} runs of a {args.population:,}-person county, "
            f"{plan.base['years']['start']}-{plan.base['years']['end']}"
        )
        phases = run_phases(plan, Path(tmp) / "phases")
        start, start_cpu = start_seconds("process", 1)
        cases = [("process", n) for n in args.workers] + [("dask", n) for n in args.dask_workers]
        rounds = [
            [measure(plan, Path(tmp) / f"{kind}{n}-{r}", kind, n) for kind, n in cases]
            for r in range(args.repeat)
        ]
        # Rounds interleave the executors; the fastest of each keeps others' work out of it.
        measured = [min(tries, key=lambda m: m.seconds) for tries in zip(*rounds, strict=True)]
        overhead = sweep_overhead_seconds(plan, Path(tmp) / "process1-0")
        dask_start = {n: start_seconds("dask", n) for n in args.dask_workers}
        shares = {
            (kind, n): executor_share(kind, n)
            for n in args.dask_workers
            for kind in ("process", "dask")
        }

    reference = measured[0].outputs
    for m in (m for tries in rounds for m in tries):
        if m.outputs != reference:
            raise AssertionError(f"{m.executor} with {m.workers} workers gave other numbers")
    print("every executor gave the same numbers, run for run")

    run = sum(phases.values())
    single = next(m for m in measured if m.executor == "process" and m.workers == 1)
    parent = max(m.parent_cpu for m in measured if m.executor == "process") / args.runs
    print("\nfixed costs, seconds (measured):")
    print(f"  worker start (spawn, import Mesa and the model)  {start:8.2f}  once per worker")
    for name, label in (
        ("scenario", "design point into a scenario"),
        ("setup", "model set-up (county, spin-up)"),
        ("simulate", "simulating the years"),
        ("results", "collecting results and outputs"),
        ("write", "writing the run's Parquet part"),
    ):
        print(f"  {label:<47}  {phases[name]:8.3f}  per run, in the worker")
    print(f"  parent: handing out and counting runs           {parent:8.3f}  per run (CPU)")
    print(f"  sweep: opening the store, finding runs to do    {overhead:8.2f}  once")
    for n, (seconds, cpu) in dask_start.items():
        print(
            f"  Dask local cluster of {n} started and prepared     {seconds:8.2f}  once "
            f"({cpu:.1f} CPU s)"
        )
    for (kind, n), share in shares.items():
        print(
            f"  {kind + ' executor of ' + str(n) + ': its own CPU per CPU s of runs':<47}  "
            f"{share:8.3f}  (stand-in runs)"
        )
    # Dask's own work per run beyond the pool's, from the stand-in runs.
    dask_extra = max(
        (shares["dask", n] - shares["process", n] for n in args.dask_workers), default=0.0
    )

    print(
        f"\n{'measured':<9} {'workers':>7} {'seconds':>8} {'runs/min':>9} {'efficiency':>10} "
        f"{'cores got':>9} {'CPU s/run':>9} {'CPU efficiency':>14}"
    )
    single_rate = args.runs / single.seconds * 60
    single_cpu = (single.parent_cpu + single.worker_cpu) / args.runs
    for m in measured:
        rate = args.runs / m.seconds * 60
        efficiency = rate / (m.workers * single_rate)
        cpu = (m.parent_cpu + m.worker_cpu) / args.runs
        print(
            f"{m.executor:<9} {m.workers:>7} {m.seconds:>8.1f} {rate:>9.1f} {efficiency:>10.0%} "
            f"{m.cores:>9.2f} {cpu:>9.2f} {single_cpu / cpu:>14.0%}"
        )
    print(
        "cores got: CPU seconds of the sweep's processes over its wall time; below the worker\n"
        "count, other work on the machine took the rest, and the efficiency says more about that\n"
        "than about the sweep. CPU efficiency: CPU seconds per run with one worker over those\n"
        "with N (worker starts included), the share of the work that is the runs' own whatever\n"
        "else the machine does: about the most the efficiency can be on N free cores."
    )

    fixed = overhead + start
    print(
        f"\nmodelled ({args.model_runs} runs of {run:.2f} s, parent {parent * 1000:.1f} ms a run, "
        f"fixed {fixed:.1f} s; one core per worker):"
    )
    # A Dask cluster differs by its start (measured at its size here; it grows with the
    # number of workers, which this leaves out) and by its own work per run (scheduler,
    # worker bookkeeping), counted as if it took the workers' cores.
    dask_fixed = overhead + max(w for w, _ in dask_start.values()) if dask_start else None
    print(
        f"{'workers':>7} {'seconds':>8} {'runs/min':>9} {'efficiency':>10}"
        + (f" {'dask seconds':>13} {'dask vs pool':>12}" if dask_fixed else "")
    )
    one = modelled_seconds(1, args.model_runs, run, parent, fixed)
    for n in sorted({*args.workers, *args.model_workers}):
        seconds = modelled_seconds(n, args.model_runs, run, parent, fixed)
        rate = args.model_runs / seconds * 60
        line = f"{n:>7} {seconds:>8.0f} {rate:>9.1f} {one / (n * seconds):>10.0%}"
        if dask_fixed:
            dask_run = run * (1 + max(dask_extra, 0.0))
            on_dask = modelled_seconds(n, args.model_runs, dask_run, parent, dask_fixed)
            line += f" {on_dask:>13.0f} {seconds / on_dask:>12.0%}"
        print(line)
    print("the model at the measured sweep, for comparison with the measured figures:")
    one = modelled_seconds(1, args.runs, run, parent, fixed)
    for n in sorted(args.workers):
        seconds = modelled_seconds(n, args.runs, run, parent, fixed)
        print(
            f"{n:>7} {seconds:>8.1f} {args.runs / seconds * 60:>9.1f} {one / (n * seconds):>10.0%}"
        )
    with tempfile.TemporaryDirectory() as tmp:
        forked_sweep(Path(tmp), args)


if __name__ == "__main__":  # guarded: worker processes are started with spawn
    main()
