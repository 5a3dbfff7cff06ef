"""Reading a sweep store that may be damaged, and repairing what can be repaired.

A store is written so that a crash of countysim leaves only whole files, but a store can
still be damaged from outside: a disk that filled up, a copy cut short, a file emptied by
hand. Reading reports such a store as corrupt, naming the files concerned, instead of
failing somewhere inside pandas or pyarrow. ``sweep --resume`` repairs what it can: it
rewrites a damaged manifest from the sweep file (if the store's own copy of it, sweep.yaml,
is that sweep) and moves unreadable parts, with the part of the same batch in the other
table, into ``corrupt/``, so that their runs are done again.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from countysim.atomic import write_atomically
from countysim.config import ScenarioError, read_yaml

MANIFEST = "manifest.json"
RUNS, SERIES = "runs", "series"
#: Where ``--resume`` moves parts that cannot be read.
CORRUPT = "corrupt"
#: Manifest entries that reading a store relies on.
_MANIFEST_KEYS = ("name", "config", "config_hash", "seeds")
#: What reading a damaged Parquet file raises.
_PARQUET_ERRORS = (OSError, ValueError, pa.ArrowException)


class StoreError(Exception):
    """A store cannot be used as asked (exists, changed sweep, not a store): exit status 2."""

    exit_code = 2


class CorruptStoreError(StoreError):
    """A store whose manifest or parts cannot be read."""


def repair_hint(directory: Path) -> str:
    return (
        f"to repair it, run `countysim sweep SWEEP_FILE --out {directory} --resume` with the "
        "sweep file it was made from: unreadable parts are moved to corrupt/ and their runs "
        "done again"
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:120] if text else type(exc).__name__


def read_manifest(directory: Path) -> dict[str, Any]:
    """The manifest of a store; ``StoreError`` if there is none, ``CorruptStoreError`` if it
    cannot be read or lacks what reading the store needs."""
    path = directory / MANIFEST
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise StoreError(f"{directory} is not a sweep store (no {MANIFEST})") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = _reason(exc)
    else:
        try:
            manifest = json.loads(text)
        except ValueError as exc:
            reason = "empty file" if not text.strip() else f"invalid JSON: {_reason(exc)}"
        else:
            missing = (
                [key for key in _MANIFEST_KEYS if key not in manifest]
                if isinstance(manifest, dict)
                else ["all entries"]
            )
            if not missing:
                return manifest
            reason = f"no {', '.join(missing)}"
    raise CorruptStoreError(
        f"{directory} is corrupt: its {MANIFEST} cannot be read ({reason}); the stored runs "
        "are kept. " + repair_hint(directory)
    )


def repair_manifest(
    root: Path, spec_data: dict[str, Any], manifest: Callable[[], dict[str, Any]]
) -> None:
    """Rewrite a damaged manifest with ``manifest()`` if the store's own copy of its sweep
    file (sweep.yaml) holds ``spec_data``, the sweep being resumed; leave a readable manifest
    alone, and refuse (``StoreError``) to repair a store of another sweep."""
    try:
        read_manifest(root)
        return
    except CorruptStoreError as exc:
        damage = exc
    try:
        stored, _ = read_yaml(root / "sweep.yaml")
    except ScenarioError:
        stored = None
    if stored != json.loads(json.dumps(spec_data)):
        raise StoreError(
            f"{damage}. It cannot be repaired from this sweep file: the store's sweep.yaml is "
            "missing, unreadable or a different sweep"
        )
    text = json.dumps(manifest(), indent=1) + "\n"
    write_atomically(root / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
    warnings.warn(f"{root}: rewrote the damaged {MANIFEST} from the sweep file", stacklevel=4)


def part_files(directory: Path, table: str) -> list[Path]:
    return sorted((directory / table).glob("part-*.parquet"))


def read_parts(directory: Path, paths: Iterable[Path]) -> pd.DataFrame:
    """The rows of every part; ``CorruptStoreError`` naming the parts that cannot be read."""
    frames, corrupt = [], []
    for path in paths:
        try:
            frames.append(pq.read_table(path).to_pandas())
        except _PARQUET_ERRORS as exc:
            corrupt.append(f"{path.relative_to(directory)} ({_reason(exc)})")
    if corrupt:
        raise CorruptStoreError(
            f"{directory} is corrupt: {len(corrupt)} part(s) cannot be read: "
            f"{', '.join(corrupt[:5])}{' ...' if len(corrupt) > 5 else ''}; "
            + repair_hint(directory)
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def set_aside_corrupt_parts(directory: Path) -> list[str]:
    """Move unreadable parts, and the part of the same batch in the other table, into
    ``corrupt/``; their runs then count as not done. Returns the part names moved."""
    bad = set()
    for table in (RUNS, SERIES):
        for path in part_files(directory, table):
            try:
                pq.read_metadata(path)
            except _PARQUET_ERRORS:
                bad.add(path.name)
    for name in sorted(bad):
        for table in (RUNS, SERIES):
            path = directory / table / name
            if path.exists():
                (directory / CORRUPT / table).mkdir(parents=True, exist_ok=True)
                path.rename(directory / CORRUPT / table / name)
    if bad:
        warnings.warn(
            f"{directory}: moved {len(bad)} unreadable part(s) to {CORRUPT}/; "
            "their runs are done again",
            RuntimeWarning,
            stacklevel=3,
        )
    return sorted(bad)
