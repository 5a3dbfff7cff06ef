"""``countysim panel PANEL.yaml``: run a county panel and write its tables, scores, figures
and report.

``experiments/commands.py`` adds this parser to the experiment commands and dispatches
here. Heavy modules are imported by the handler, to keep ``countysim --help`` fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from countysim.experiments.cli_options import add_executor_options, shard

EXIT_OK, EXIT_FAILED_RUNS, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add ``panel`` to the ``countysim`` commands."""
    panel = commands.add_parser(
        "panel", help="run a county panel and score it against the census and null models"
    )
    panel.add_argument("panel_file", type=Path, metavar="PANEL", help="panel YAML file")
    panel.add_argument("--out", type=Path, help="result directory (default: results/panels/<name>)")
    add_executor_options(panel, "panel")
    panel.add_argument(
        "--shard",
        type=shard,
        metavar="I/N",
        help="run only shard I of N; the outputs are written once every shard is stored",
    )
    panel.add_argument(
        "--resume", action="store_true", help="continue a panel directory, skipping stored runs"
    )
    panel.add_argument(
        "--retry-failed", action="store_true", help="resume and run failed counties again"
    )
    panel.add_argument("--quiet", action="store_true", help="no progress bar")


def panel(args: argparse.Namespace) -> int:
    from countysim.experiments.panel import load_panel
    from countysim.experiments.panel_runner import run_panel
    from countysim.experiments.store import StoreError

    plan = load_panel(args.panel_file)  # a PanelError is reported by cli.main (exit 2)
    try:
        outcome = run_panel(
            plan,
            args.out,
            executor=args.executor or ("dask" if args.scheduler else None),
            workers=args.workers,
            scheduler=args.scheduler,
            shard=args.shard,
            resume=args.resume,
            retry_failed=args.retry_failed,
            progress=not args.quiet,
        )
    except (StoreError, ImportError, ValueError) as exc:
        print(f"countysim panel: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "countysim panel: interrupted; the finished runs are stored, continue with --resume",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    print(outcome.format())
    return EXIT_FAILED_RUNS if outcome.failed else EXIT_OK
