"""The `countysim` command line: run and validate scenarios, report on results."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim import __version__, counties_cli
from countysim.atomic import OutputExistsError, check_output, safe_folder_name
from countysim.config import ScenarioError
from countysim.experiments import commands as experiment_commands

EXIT_BAD_INPUT = 2
OVERWRITE_HELP = (
    "replace an existing result directory written by countysim (other files and folders "
    "are never replaced)"
)


#: Figure file formats (those of `countysim.figures.FIGURE_FORMATS`; not imported here, so
#: that the command line starts without loading matplotlib).
FIGURE_FORMATS = ("png", "svg", "pdf")


def _figure_options(parser: argparse.ArgumentParser, default_format: str | None = "png") -> None:
    """`--format` and `--dpi` of the figure files a command writes."""
    parser.add_argument(
        "--format",
        choices=FIGURE_FORMATS,
        default=default_format,
        help=f"file format of the figures (default: {default_format})"
        if default_format
        else "also write the figure files in this format (default: only the report)",
    )
    parser.add_argument(
        "--dpi",
        type=experiment_commands.positive_int,
        default=150,
        help="resolution of PNG figures in dots per inch (default: 150)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="countysim",
        description="Agent-based model of county-level urban-rural integration.",
    )
    parser.add_argument("--version", action="version", version=f"countysim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", type=Path, help="scenario YAML file")
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario value by dotted key, e.g. --set simulation.scale=10",
    )
    run.add_argument("--out", type=Path, help="result directory (default: results/<scenario name>)")
    run.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    run.add_argument("--no-figures", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    run.add_argument(
        "--replicates",
        type=experiment_commands.positive_int,
        metavar="R",
        help="run R replicates with seeds derived from the scenario's; tables get a "
        "replicate column, figures the mean and a 90%% band, summary.csv the band per year",
    )
    run.add_argument(
        "--independent-streams",
        action="store_true",
        help="with --replicates: random numbers of this scenario's own, instead of the "
        "same ones in every scenario (common random numbers, for paired comparisons)",
    )
    run.add_argument(
        "--posterior",
        type=Path,
        metavar="FILE",
        help="with --replicates: each replicate draws a parameter set from this calibration "
        "posterior (posterior.parquet), so the bands show parameter uncertainty too",
    )
    run.add_argument(
        "--workers",
        type=experiment_commands.positive_int,
        help="with --replicates: parallel runs (default: all CPUs)",
    )
    run.add_argument("--no-report", action="store_true", help="do not write report.html")
    run.add_argument(
        "--threads",
        type=experiment_commands.positive_int,
        metavar="N",
        help="BLAS/OpenMP threads of the run (default: 1)",
    )
    run.add_argument(
        "--save-state",
        type=int,
        metavar="YEAR",
        help="also write the model's full state at the end of YEAR (to --state-dir), from "
        "which --from-state continues",
    )
    run.add_argument(
        "--state-dir",
        type=Path,
        metavar="DIR",
        help="folder of --save-state (default: states/<scenario name>-<YEAR>); an existing "
        "one is refused unless --overwrite and it holds a saved state",
    )
    run.add_argument(
        "--from-state",
        type=Path,
        metavar="DIR",
        help="continue a saved state under this scenario, whose levers may differ only "
        "after the state's year",
    )
    _figure_options(run)

    compare = commands.add_parser(
        "compare", help="run scenarios with the same seeds and plot them on shared axes"
    )
    compare.add_argument("scenarios", type=Path, nargs="+", metavar="SCENARIO")
    compare.add_argument(
        "--replicates", type=int, default=1, metavar="R", help="seeds per scenario"
    )
    compare.add_argument(
        "--years", type=int, nargs="+", metavar="YEAR", help="years of the differences table"
    )
    compare.add_argument(
        "--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE"
    )
    compare.add_argument("--workers", type=int, default=1, help="parallel runs")
    compare.add_argument(
        "--posterior",
        type=Path,
        metavar="FILE",
        help="replicate r of every scenario uses parameter set r drawn from this calibration "
        "posterior, so differences carry parameter uncertainty",
    )
    compare.add_argument("--out", type=Path, help="result directory (default: results/compare)")
    compare.add_argument("--overwrite", action="store_true", help=OVERWRITE_HELP)
    compare.add_argument("--no-report", action="store_true", help="do not write report.html")
    _figure_options(compare)

    validate = commands.add_parser("validate", help="check scenario files without running")
    validate.add_argument("scenarios", type=Path, nargs="+", metavar="FILE")
    validate.add_argument("--set", dest="overrides", action="append", default=[])

    report = commands.add_parser("report", help="write report.html for a saved result directory")
    report.add_argument("result_dir", type=Path, metavar="RESULT_DIR")
    report.add_argument(
        "--years",
        type=int,
        nargs="+",
        metavar="YEAR",
        help="years of the indicator table (default: first, middle and last)",
    )
    _figure_options(report, default_format=None)
    experiment_commands.add_parsers(commands)
    counties_cli.add_parser(commands)

    explore = commands.add_parser("explore", help="explore a county in the browser (local app)")
    explore.add_argument("--host", default="127.0.0.1", help="address to listen on")
    explore.add_argument("--port", type=int, default=8765, help="port to listen on")
    explore.add_argument("--scenarios", type=Path, help="folder of scenarios the app offers")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        if args.command == "compare":
            return _compare(args)
        if args.command == "report":
            return _report(args)
        if args.command == "explore":
            from countysim.explore.server import serve

            return serve(args.host, args.port, args.scenarios)
        if args.command == "counties":
            return counties_cli.main(args)
        if args.command in experiment_commands.COMMANDS:
            return experiment_commands.COMMANDS[args.command](args)
        return _validate(args)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputExistsError as exc:
        print(f"countysim {args.command}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _run(args) -> int:
    if args.replicates is not None or args.independent_streams or args.posterior:
        if args.save_state is not None or args.from_state is not None:
            print(
                "countysim run: --save-state and --from-state are for a single run, not with "
                "--replicates or --posterior",
                file=sys.stderr,
            )
            return EXIT_BAD_INPUT
        return experiment_commands.run_replicates(args)
    from countysim.runner import prepare, simulate

    scenario = prepare(args.scenario, args.overrides)
    out = args.out if args.out is not None else Path("results") / safe_folder_name(scenario.name)
    check_output(out, overwrite=args.overwrite)  # before the run, not after it
    model, save_on_year = _model_with_state(args, scenario)
    results = simulate(scenario, progress=not args.quiet, model=model, on_year=save_on_year)
    from countysim.analysis import Analysis
    from countysim.reports import save_run

    save_run(
        results,
        out,
        figures=not args.no_figures,
        report=not args.no_report,
        formats=args.format,
        dpi=args.dpi,
        overwrite=args.overwrite,
    )
    for warning in Analysis(results).scale_warnings():
        print(f"countysim run: warning: {warning}", file=sys.stderr)
    print(results.brief())
    print(f"results in {out}")
    return 0


def _model_with_state(args, scenario):
    """The model of `countysim run` (restored from --from-state, or new) on --threads, and
    the callback that saves its state at the end of --save-state's year. Bad state options
    end the command (exit 2) before anything runs."""
    from countysim.model import CountyModel
    from countysim.state import StateError, check_state_target, load_state, save_state

    if args.threads is not None:
        CountyModel.threads = args.threads
    year, overwrite = args.save_state, getattr(args, "overwrite", False)
    try:
        if year is not None:
            if not scenario.years.start <= year < scenario.years.end:
                raise StateError(
                    f"--save-state {year}: give a year from {scenario.years.start} to "
                    f"{scenario.years.end - 1}, so that there is a year to continue"
                )
            folder = args.state_dir or Path("states") / f"{scenario.name}-{year}"
            check_state_target(folder, overwrite=overwrite)
        if args.from_state is None:
            model = CountyModel(scenario)
        else:
            model = load_state(args.from_state, scenario)
            if year is not None and year <= model.year:
                raise StateError(f"--save-state {year} is not after the state's year {model.year}")
    except StateError as exc:
        print(f"countysim run: {exc}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_INPUT) from None
    if year is None:
        return model, None

    def save_on_year(y: int) -> None:
        if y == year:
            print(f"state of {y} in {save_state(model, folder, overwrite=overwrite)}")

    return model, save_on_year


def _compare(args) -> int:
    from countysim.compare import compare

    if len(args.scenarios) < 2 or args.replicates < 1:
        print("compare needs at least two scenarios and one replicate", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = args.out or Path("results") / "compare"
    check_output(out, overwrite=args.overwrite)  # before the runs, not after them
    from countysim.experiments.calibration_posterior import PosteriorError

    try:
        result = compare(
            args.scenarios,
            replicates=args.replicates,
            overrides=args.overrides,
            workers=args.workers,
            years=args.years,
            progress=True,
            posterior=args.posterior,
        )
    except PosteriorError as exc:
        print(f"countysim compare: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = result.save(
        out,
        years=args.years,
        report=not args.no_report,
        overwrite=args.overwrite,
        formats=args.format,
        dpi=args.dpi,
    )
    from countysim.compare import INDICATORS
    from countysim.reports import differences_text

    print(differences_text(result, args.years, indicators=INDICATORS))
    print(f"comparison of {', '.join(result.names)} in {out}")
    return 0


def _validate(args) -> int:
    from countysim.runner import prepare

    failed = 0
    for path in args.scenarios:
        try:
            scenario = prepare(path, args.overrides)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            failed += 1
        else:
            print(f"{path}: ok ({scenario.name})")
    return EXIT_BAD_INPUT if failed else 0


def _report(args) -> int:
    from countysim.report import write_report

    try:
        path = write_report(args.result_dir, years=args.years)
        if args.format is not None:  # the figure files too, in the format asked for
            from countysim.figures import run_figures, write_figures
            from countysim.provenance import footer
            from countysim.results import Results

            results = Results.load(args.result_dir)
            figures = args.result_dir / "figures"
            note = footer(results.manifest)
            write_figures(run_figures(results), figures, args.format, dpi=args.dpi, footer=note)
    except (OSError, ValueError) as exc:
        print(f"countysim report: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"report in {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
