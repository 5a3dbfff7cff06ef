"""Command-line options shared by the commands that run many simulations (sweep, panel,
calibrate): where the runs go, how many at once, which shard."""

from __future__ import annotations

import argparse

from countysim.experiments.execution import EXECUTOR_KINDS, parse_shard


def positive_int(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def shard(text: str) -> tuple[int, int]:
    """An argparse type: ``I/N``, shard I of N."""
    try:
        return parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_executor_options(parser: argparse.ArgumentParser, file_kind: str) -> None:
    """``--executor``, ``--workers`` and ``--scheduler``; the default executor is the one
    named in the ``file_kind`` file (sweep, panel or calibration file), else a process pool."""
    parser.add_argument(
        "--executor",
        choices=EXECUTOR_KINDS,
        help="process pool on this machine, Dask, or one run after the other "
        f"(default: the {file_kind} file's, else process)",
    )
    parser.add_argument("--workers", type=positive_int, help="parallel runs (default: all CPUs)")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies dask)",
    )
