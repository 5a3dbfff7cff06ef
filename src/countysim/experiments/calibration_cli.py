"""``countysim calibrate FILE``: the command-line side of calibration.

Its parser is added to the experiment commands (``commands.py``); heavy modules load in
the handler, so ``countysim --help`` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim.experiments.cli_options import add_executor_options

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


def add_parser(commands: argparse._SubParsersAction) -> None:
    calibrate = commands.add_parser(
        "calibrate",
        help="fit parameters to targets with their uncertainty: screening, history matching "
        "with Gaussian-process emulators, and a weighted posterior ensemble",
    )
    calibrate.add_argument("calibration_file", type=Path, metavar="FILE", help="calibration YAML")
    calibrate.add_argument(
        "--out", type=Path, help="calibration folder (default: results/calibrations/<name>)"
    )
    calibrate.add_argument(
        "--resume",
        action="store_true",
        help="continue a calibration folder of this file, skipping the runs already stored",
    )
    add_executor_options(calibrate, "calibration")
    calibrate.add_argument(
        "--check", action="store_true", help="check the calibration file and exit; run nothing"
    )
    calibrate.add_argument("--quiet", action="store_true", help="no progress bars")


def calibrate(args: argparse.Namespace) -> int:
    from countysim.atomic import OutputExistsError
    from countysim.experiments.calibration import load_calibration
    from countysim.experiments.calibration_folder import calibrate as run_calibration
    from countysim.experiments.calibration_run import CalibrationFailed
    from countysim.experiments.store import StoreError

    plan = load_calibration(args.calibration_file)  # a CalibrationError: cli.main, exit 2
    if args.check:
        print(f"{plan.name}: {len(plan.priors)} parameters, {len(plan.targets)} targets; ok")
        return EXIT_OK
    if args.workers is not None and args.workers < 1:
        print("countysim calibrate: --workers must be at least 1", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        outcome = run_calibration(
            plan,
            args.out,
            resume=args.resume,
            executor=args.executor,
            workers=args.workers,
            scheduler=args.scheduler,
            progress=not args.quiet,
            log=(lambda *a: None) if args.quiet else print,
        )
    except (StoreError, OutputExistsError, ImportError) as exc:
        print(f"countysim calibrate: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except CalibrationFailed as exc:
        print(f"countysim calibrate: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(
            "countysim calibrate: interrupted; finished runs are stored, continue with --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(f"{plan.name}: {outcome.format()}")
    return EXIT_OK
