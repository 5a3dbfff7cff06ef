"""The experiment commands of ``countysim``: sweep, status, analyze, export, and the
``--replicates`` side of ``run``.

``cli.py`` adds these parsers to its own and dispatches here, so the options of the
experiments live next to the code they drive. Heavy modules are imported by the handlers,
not here, to keep ``countysim --help`` fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim.experiments import calibration_cli, panel_command
from countysim.experiments.cli_options import add_executor_options, positive_int, shard

EXIT_OK, EXIT_FAILED_RUNS, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report Ctrl-C


def add_parsers(commands: argparse._SubParsersAction) -> None:
    """Add ``sweep``, ``status``, ``analyze`` and ``export`` to the ``countysim`` commands."""
    sweep = commands.add_parser("sweep", help="run a parameter sweep file into a result store")
    sweep.add_argument("sweep_file", type=Path, metavar="FILE", help="sweep YAML file")
    sweep.add_argument(
        "--out", type=Path, help="result store (default: results/sweeps/<sweep name>)"
    )
    sweep.add_argument(
        "--dry-run",
        action="store_true",
        help="print the number of runs and a time estimate from one pilot run; write nothing",
    )
    add_executor_options(sweep, "sweep")
    sweep.add_argument(
        "--shard",
        type=shard,
        metavar="I/N",
        help="run only shard I of N (0 <= I < N), e.g. one task of a job array",
    )
    sweep.add_argument(
        "--resume",
        action="store_true",
        help="continue a store of this sweep, skipping the runs already stored",
    )
    sweep.add_argument(
        "--retry-failed", action="store_true", help="resume and run failed runs again"
    )
    sweep.add_argument(
        "--no-fork",
        dest="fork",
        action="store_false",
        default=None,
        help="run every run from scratch, also runs that share their first years (same "
        "results, slower; for checking)",
    )
    sweep.add_argument("--quiet", action="store_true", help="no progress bar")

    status = commands.add_parser("status", help="show how far a sweep store has got")
    status.add_argument("store", type=Path, metavar="DIR", help="sweep result store")

    analyze = commands.add_parser(
        "analyze", help="sensitivity indices and figures of a sweep store"
    )
    analyze.add_argument("store", type=Path, metavar="DIR", help="sweep result store")
    analyze.add_argument(
        "--outputs", nargs="+", metavar="NAME", help="outputs to analyse (default: all)"
    )
    analyze.add_argument("--out", type=Path, help="where to write (default: DIR/analysis)")
    analyze.add_argument(
        "--overwrite",
        action="store_true",
        help="replace an earlier countysim output at --out (never any other folder)",
    )
    analyze.add_argument(
        "--resamples",
        type=positive_int,
        default=1000,
        help="bootstrap resamples for the confidence intervals (default: 1000)",
    )

    export = commands.add_parser("export", help="write a sweep store's tables as CSV")
    export.add_argument("store", type=Path, metavar="DIR", help="sweep result store")
    export.add_argument("--to", type=Path, help="directory for the CSV files (default: DIR/csv)")
    export.add_argument(
        "--overwrite", action="store_true", help="replace runs.csv, series.csv, design.csv there"
    )

    panel_command.add_parser(commands)
    calibration_cli.add_parser(commands)


def sweep(args: argparse.Namespace) -> int:
    from countysim.experiments.store import StoreError
    from countysim.experiments.sweep import load_sweep
    from countysim.experiments.sweep_runner import dry_run, run_sweep

    plan = load_sweep(args.sweep_file)  # a SweepError is reported by cli.main (exit 2)
    executor = args.executor or ("dask" if args.scheduler else None)
    try:
        if args.dry_run:
            estimate = dry_run(
                plan,
                args.out,
                executor=executor,
                workers=args.workers,
                shard=args.shard,
                retry_failed=args.retry_failed,
                fork=args.fork,
            )
            print(estimate.format())
            return EXIT_OK
        outcome = run_sweep(
            plan,
            args.out,
            executor=executor,
            workers=args.workers,
            scheduler=args.scheduler,
            shard=args.shard,
            resume=args.resume,
            retry_failed=args.retry_failed,
            progress=not args.quiet,
            fork=args.fork,
        )
    except (StoreError, ImportError, ValueError) as exc:
        return _fail("sweep", exc)
    except KeyboardInterrupt:
        print(
            "countysim sweep: interrupted; the finished runs are stored, continue with --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(outcome.format())
    if outcome.failed:
        print(f"see countysim status {outcome.store.directory}", file=sys.stderr)
    return EXIT_FAILED_RUNS if outcome.failed else EXIT_OK


def status(args: argparse.Namespace) -> int:
    from countysim.experiments.store import StoreError, SweepStore

    try:
        print(SweepStore.open(args.store).status().format())
    except StoreError as exc:
        return _fail("status", exc)
    return EXIT_OK


def analyze(args: argparse.Namespace) -> int:
    from countysim.atomic import OutputExistsError
    from countysim.experiments.sensitivity import AnalysisError
    from countysim.experiments.store import StoreError
    from countysim.experiments.sweep_analysis import analyze_store

    try:
        report = analyze_store(
            args.store,
            outputs=args.outputs,
            out=args.out,
            resamples=args.resamples,
            overwrite=args.overwrite,
        )
    except (StoreError, AnalysisError, OutputExistsError) as exc:
        return _fail("analyze", exc)
    print(report.format())
    return EXIT_OK


def export(args: argparse.Namespace) -> int:
    from countysim.experiments.store import StoreError, SweepStore

    try:
        paths = SweepStore.open(args.store).export_csv(args.to, overwrite=args.overwrite)
    except StoreError as exc:
        return _fail("export", exc)
    print("\n".join(str(path) for path in paths))
    return EXIT_OK


#: Handlers of the experiment commands, by command name.
COMMANDS = {
    "sweep": sweep,
    "status": status,
    "analyze": analyze,
    "export": export,
    "panel": panel_command.panel,
    "calibrate": calibration_cli.calibrate,
}


def run_replicates(args: argparse.Namespace) -> int:
    """``countysim run SCENARIO --replicates R``: R runs, summarized with 90% bands."""
    from countysim.atomic import check_output, safe_folder_name
    from countysim.experiments.replicates import ReplicateError, simulate_replicates
    from countysim.runner import prepare

    if args.replicates is None:
        flag = "--posterior" if args.posterior else "--independent-streams"
        return _fail("run", ValueError(f"{flag} needs --replicates"))
    scenario = prepare(args.scenario, args.overrides)
    out = args.out if args.out is not None else Path("results") / safe_folder_name(scenario.name)
    check_output(out, overwrite=args.overwrite)  # before the runs, not after them
    streams = "independent" if args.independent_streams else "common"
    parameter_sets, posterior = None, None
    if args.posterior is not None:
        from countysim.config import resolved_dict
        from countysim.experiments.calibration_posterior import PosteriorError, posterior_draws

        try:
            parameter_sets, posterior = posterior_draws(
                args.posterior, args.replicates, scenario.seed, resolved_dict(scenario)
            )
        except PosteriorError as exc:
            return _fail("run", exc)
    try:
        results = simulate_replicates(
            scenario,
            args.replicates,
            streams=streams,
            workers=args.workers,
            progress=not args.quiet,
            parameter_sets=parameter_sets,
        )
    except ReplicateError as exc:
        print(f"countysim run: {exc}", file=sys.stderr)
        return EXIT_FAILED_RUNS
    if posterior is not None:
        results.manifest["posterior"] = posterior
    from countysim.reports import save_run

    save_run(  # the first replicate's report; figures carry the bands
        results,
        out,
        figures=not args.no_figures,
        report=not args.no_report,
        formats=args.format,
        dpi=args.dpi,
        overwrite=args.overwrite,
    )
    summary = results.summary
    last = summary[summary["year"] == summary["year"].max()].set_index("indicator")
    urban, ratio = last.loc["urbanization_resident"], last.loc["income_ratio"]
    print(
        f"{scenario.name}: {args.replicates} replicates ({streams} streams); "
        f"{int(urban['year'])} resident urbanization {urban['mean']:.1%} "
        f"(90% band {urban['p05']:.1%}-{urban['p95']:.1%}), income ratio {ratio['mean']:.2f} "
        f"({ratio['p05']:.2f}-{ratio['p95']:.2f}); results in {out}"
    )
    return EXIT_OK


def _fail(command: str, exc: Exception) -> int:
    print(f"countysim {command}: {exc}", file=sys.stderr)
    return EXIT_BAD_INPUT
