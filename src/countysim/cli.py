"""The `countysim` command line: run and validate scenarios."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim import __version__
from countysim.config import ScenarioError

EXIT_BAD_INPUT = 2


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
    run.add_argument("--no-figures", action="store_true", help="write tables only")
    run.add_argument("--quiet", action="store_true", help="no progress bar")

    validate = commands.add_parser("validate", help="check scenario files without running")
    validate.add_argument("scenarios", type=Path, nargs="+", metavar="FILE")
    validate.add_argument("--set", dest="overrides", action="append", default=[])
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run(args)
        return _validate(args)
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT


def _run(args) -> int:
    from countysim.runner import prepare, simulate

    scenario = prepare(args.scenario, args.overrides)
    results = simulate(scenario, progress=not args.quiet)
    out = args.out if args.out is not None else Path("results") / scenario.name
    results.save(out, figures=not args.no_figures)
    last = results.county.iloc[-1]
    print(
        f"{scenario.name}: {int(last['year'])} resident urbanization "
        f"{last['urbanization_resident']:.1%}, registered {last['urbanization_registered']:.1%}, "
        f"income ratio {last['income_ratio']:.2f}; results in {out}"
    )
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


if __name__ == "__main__":
    sys.exit(main())
