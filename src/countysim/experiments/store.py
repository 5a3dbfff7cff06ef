"""The result store of a sweep: one directory that survives crashes, resumes and shards.

Layout::

    manifest.json         provenance, the resolved sweep (base scenario, design, replicates,
                          streams, outputs), its hash, and every run's seed
    sweep.yaml            the sweep file as validated
    base_scenario.yaml    the resolved base scenario
    runs/part-*.parquet   one row per run attempt: run id, design point, replicate, seed,
                          parameters, outputs, status, error text, wall time, host
    series/part-*.parquet the yearly county table of every successful run, with its run id

A store damaged by something else (a disk filled up, a copy cut short) is reported as corrupt
by ``status``, ``export`` and ``analyze`` with the parts concerned; ``sweep --resume`` repairs
what it can (``store_integrity.py``).

Parts are written whole (temporary file, fsync, rename), so a killed sweep leaves only
complete parts, and several processes (the shards of a job array) can write into one store.
A run's series part is written before its run row; a run counts as done only once its row
exists, and series rows are joined to run rows by a per-part batch id, so a series part
orphaned by a crash is ignored and the run is simply done again.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from countysim.atomic import write_atomically
from countysim.config import dump_yaml
from countysim.experiments.design import Design
from countysim.experiments.execution import OK, RunRecord, RunTask
from countysim.experiments.outputs import OutputSpec
from countysim.experiments.store_integrity import (  # noqa: F401 (names of the store's interface)
    CORRUPT,
    MANIFEST,
    RUNS,
    SERIES,
    CorruptStoreError,
    StoreError,
    part_files,
    read_manifest,
    read_parts,
    repair_manifest,
    set_aside_corrupt_parts,
)
from countysim.provenance import environment

if TYPE_CHECKING:
    from countysim.experiments.sweep import SweepPlan

FORMAT = 1
#: What a store directory may hold while another process is still creating it.
_LAYOUT = {MANIFEST, "sweep.yaml", "base_scenario.yaml", RUNS, SERIES, CORRUPT}
#: Identity columns put in front of a run's rows in the series table.
SERIES_KEYS = ("run_id", "point", "replicate", "batch")


@dataclass(frozen=True)
class StoreStatus:
    """How far a sweep has got."""

    name: str
    planned: int
    ok: int
    failed: int
    run_seconds: float
    failures: pd.DataFrame  # run_id, error

    @property
    def missing(self) -> int:
        return self.planned - self.ok - self.failed

    def format(self, max_failures: int = 10) -> str:
        lines = [
            f"{self.name}: {self.planned} runs planned, {self.ok} ok, {self.failed} failed, "
            f"{self.missing} to do; {self.run_seconds / 60:.1f} min of run time"
        ]
        for row in self.failures.head(max_failures).itertuples():
            lines.append(f"  {row.run_id}: {row.error}")
        if len(self.failures) > max_failures:
            lines.append(f"  ... and {len(self.failures) - max_failures} more failed runs")
        return "\n".join(lines)


class SweepStore:
    """A sweep's result directory (``create`` for running, ``open`` for reading)."""

    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        if not self.directory.is_dir():
            what = "does not exist" if not self.directory.exists() else "is a file"
            raise StoreError(f"{self.directory} {what}; it is not a sweep store")
        self.manifest: dict[str, Any] = read_manifest(self.directory)

    @classmethod
    def open(cls, directory: str | os.PathLike) -> SweepStore:
        """An existing store, for reading (``StoreError`` if it is not one)."""
        return cls(directory)

    @classmethod
    def create(cls, directory: str | os.PathLike, plan: SweepPlan, *, resume: bool) -> SweepStore:
        """The store of ``plan`` at ``directory``, made if it does not exist yet.

        An existing store must hold this very sweep (same hash of the resolved sweep), and
        without ``resume`` it must not hold runs yet.
        """
        root = Path(directory)
        if root.exists() and not root.is_dir():
            raise StoreError(f"{root} is a file; choose a folder for the sweep store with --out")
        if (root / MANIFEST).exists():
            if resume:
                repair_manifest(root, plan.spec_data(), lambda: _manifest(plan))
            store = cls(root)
            if resume:
                store.set_aside_corrupt_parts()
            store.check_same_sweep(plan)
            if not resume and store._part_files(RUNS):
                raise StoreError(
                    f"{root} already holds runs of sweep {plan.name}; pass --resume to continue "
                    "it, or choose another --out"
                )
            return store
        strays = sorted(
            p.name for p in root.glob("*") if p.name not in _LAYOUT and not _is_temporary(p)
        )
        if strays:
            raise StoreError(f"{root} exists and is not a sweep store (it holds {strays[0]})")
        for sub in (RUNS, SERIES):
            (root / sub).mkdir(parents=True, exist_ok=True)
        write_atomically(root / "sweep.yaml", lambda path: dump_yaml(plan.spec_data(), path))
        write_atomically(root / "base_scenario.yaml", lambda path: dump_yaml(plan.base, path))
        text = json.dumps(_manifest(plan), indent=1) + "\n"  # last: it marks a whole store
        write_atomically(root / MANIFEST, lambda path: path.write_text(text, encoding="utf-8"))
        return cls(root)

    # ----------------------------------------------------------------------------- reading

    @property
    def name(self) -> str:
        return self.manifest["name"]

    @property
    def config(self) -> dict[str, Any]:
        return self.manifest["config"]

    def design(self) -> Design:
        return Design.from_dict(self.config["design"])

    def outputs(self) -> dict[str, OutputSpec]:
        return {name: OutputSpec.model_validate(o) for name, o in self.config["outputs"].items()}

    def planned(self) -> pd.DataFrame:
        """Every planned run: run id, design point, replicate, seed and parameter values."""
        runs = pd.DataFrame(
            self.manifest["seeds"]["runs"], columns=["run_id", "point", "replicate", "seed"]
        )
        points = self.design().points.rename_axis("point").reset_index()
        return runs.merge(points, on="point", how="left")

    def attempts(self) -> pd.DataFrame:
        """Every stored run attempt (a retried run has several rows)."""
        return self._read_parts(self._part_files(RUNS))

    def runs(self) -> pd.DataFrame:
        """One row per run that has been tried: its latest attempt, by design point."""
        return _latest(self.attempts())

    def series(self) -> pd.DataFrame:
        """The yearly county rows of every successful run (latest attempt), by run and year."""
        ok = self.runs()
        if ok.empty:
            return pd.DataFrame()
        ok = ok.loc[ok["status"] == OK, ["run_id", "batch"]]
        rows = self._read_parts(self._part_files(SERIES))
        if rows.empty:
            return rows
        rows = rows.merge(ok, on=["run_id", "batch"], how="inner")  # drops orphaned parts
        return rows.sort_values(["point", "replicate", "year"]).reset_index(drop=True)

    def status(self) -> StoreStatus:
        attempts = self.attempts()
        runs = _latest(attempts)
        failed = runs[runs["status"] != OK] if not runs.empty else runs
        seconds = float(attempts["wall_seconds"].sum()) if not runs.empty else 0.0
        return StoreStatus(
            name=self.name,
            planned=len(self.manifest["seeds"]["runs"]),
            ok=len(runs) - len(failed),
            failed=len(failed),
            run_seconds=seconds,
            failures=failed[["run_id", "error"]] if len(failed) else pd.DataFrame(),
        )

    def export_csv(
        self, to: str | os.PathLike | None = None, *, overwrite: bool = False
    ) -> list[Path]:
        """Write runs.csv, series.csv and design.csv (default: into ``<store>/csv``).

        In a folder given as ``to``, existing CSV files of those names are replaced only with
        ``overwrite`` (the store's own ``csv`` folder is simply renewed); a ``to`` that is a
        file is refused. Other files in the folder are left alone."""
        target = Path(to) if to is not None else self.directory / "csv"
        if target.exists() and not target.is_dir():
            raise StoreError(f"{target} is a file; --to needs a folder (new or existing)")
        existing = [f"{name}.csv" for name in ("runs", "series", "design")]
        existing = [name for name in existing if (target / name).exists()]
        if existing and not overwrite and to is not None:  # the store's own csv/ is renewed
            raise StoreError(
                f"{target} already holds {', '.join(existing)}; pass --overwrite to replace "
                "them, or choose another --to"
            )
        tables = {
            "runs": self.runs(),
            "series": self.series(),
            "design": self.design().points.rename_axis("point").reset_index(),
        }
        target.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in tables.items():
            path = target / f"{name}.csv"
            write_atomically(path, lambda temporary, t=table: t.to_csv(temporary, index=False))
            written.append(path)
        return written

    # ----------------------------------------------------------------------------- writing

    def writer(self, *, flush_runs: int = 50, flush_seconds: float = 30.0) -> RunWriter:
        return RunWriter(self, flush_runs=flush_runs, flush_seconds=flush_seconds)

    def finished(self) -> dict[str, str]:
        """Run id → status of its latest attempt, for every run tried so far."""
        runs = self.runs()
        return dict(zip(runs["run_id"], runs["status"], strict=True)) if len(runs) else {}

    def _part_files(self, table: str) -> list[Path]:
        return part_files(self.directory, table)

    def _read_parts(self, paths: Iterable[Path]) -> pd.DataFrame:
        return read_parts(self.directory, paths)

    def set_aside_corrupt_parts(self) -> list[str]:
        """See ``store_integrity.set_aside_corrupt_parts``."""
        return set_aside_corrupt_parts(self.directory)

    def check_same_sweep(self, plan: SweepPlan) -> None:
        if self.manifest.get("config_hash") == plan.config_hash:
            return
        stored = self.manifest.get("section_hashes", {})
        changed = [s for s, h in plan.section_hashes.items() if stored.get(s) != h]
        raise StoreError(
            f"{self.directory} holds a different version of sweep {self.name}: "
            f"{', '.join(changed) or 'the configuration'} changed since it was started "
            f"(sweep hash {self.manifest.get('config_hash', '?')[:12]}, now "
            f"{plan.config_hash[:12]}); run the original sweep or choose another --out"
        )


class RunWriter:
    """Collects run records and writes them as Parquet parts, every ``flush_runs`` records
    or ``flush_seconds``, and when closed. Use as a context manager."""

    def __init__(self, store: SweepStore, *, flush_runs: int, flush_seconds: float) -> None:
        self.store = store
        self.flush_runs = flush_runs
        self.flush_seconds = flush_seconds
        attempts = store.attempts()
        self._attempts: dict[str, int] = (
            attempts.groupby("run_id")["attempt"].max().to_dict() if len(attempts) else {}
        )
        self._pending: list[RunRecord] = []
        self._last_flush = time.monotonic()

    def __enter__(self) -> RunWriter:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.flush()  # also after an error or Ctrl-C: keep what finished

    def add(self, record: RunRecord) -> None:
        self._pending.append(record)
        due = time.monotonic() - self._last_flush >= self.flush_seconds
        if len(self._pending) >= self.flush_runs or due:
            self.flush()

    def flush(self) -> None:
        self._last_flush = time.monotonic()
        if not self._pending:
            return
        records, self._pending = self._pending, []
        _write_part(self.store.directory, records, self._attempts)

    def part_writer(self, tasks: Iterable[RunTask]) -> PartWriter:
        """A writer of parts for the workers that run ``tasks`` (each run once)."""
        earlier = {t.run_id: self._attempts[t.run_id] for t in tasks if t.run_id in self._attempts}
        return PartWriter(self.store.directory, earlier)


@dataclass(frozen=True)
class PartWriter:
    """Stores the records of a chunk of runs as one part, in the worker that ran them (an
    execution ``Sink``): the tables never travel to the parent, and the parent writes nothing.
    Parts are written whole, so workers write side by side as the shards of a job array do;
    ``attempts`` holds the earlier attempts of runs that are tried again."""

    directory: Path
    attempts: dict[str, int]

    def __call__(self, records: list[RunRecord]) -> list[RunRecord]:
        _write_part(self.directory, records, dict(self.attempts))
        return [record.slim() for record in records]


def _write_part(directory: Path, records: list[RunRecord], attempts: dict[str, int]) -> None:
    """One part of ``records``: their series rows first, then their run rows (which make
    them count as done); ``attempts`` (run id -> attempts so far) is brought up to date."""
    batch = uuid.uuid4().hex
    name = f"part-{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{batch[:12]}.parquet"
    series = [_series_rows(record, batch) for record in records if record.ok]
    series = [rows for rows in series if rows is not None]
    if series:
        _write_parquet(pd.concat(series, ignore_index=True), directory / SERIES / name)
    rows = []
    for record in records:
        attempt = attempts.get(record.task.run_id, 0) + 1
        attempts[record.task.run_id] = attempt
        rows.append(_run_row(record, attempt, batch))
    _write_parquet(pd.DataFrame(rows), directory / RUNS / name)


def _latest(attempts: pd.DataFrame) -> pd.DataFrame:
    """The latest attempt of every run, in design order."""
    if attempts.empty:
        return attempts
    latest = attempts.sort_values(["run_id", "attempt"]).drop_duplicates("run_id", keep="last")
    return latest.sort_values(["point", "replicate"]).reset_index(drop=True)


def _run_row(record: RunRecord, attempt: int, batch: str) -> dict[str, Any]:
    task = record.task
    return {
        "run_id": task.run_id,
        "point": task.point,
        "replicate": task.replicate,
        "seed": task.seed,
        "attempt": attempt,
        "batch": batch,
        "status": record.status,
        "error": record.error,
        "traceback": record.traceback,
        "wall_seconds": record.wall_seconds,
        "finished_utc": record.finished_utc,
        "host": record.host,
        **task.parameters,
        **record.outputs,
    }


def _series_rows(record: RunRecord, batch: str) -> pd.DataFrame | None:
    county = record.tables.get("county")
    if county is None:
        return None
    task = record.task
    keys = pd.DataFrame(
        {"run_id": task.run_id, "point": task.point, "replicate": task.replicate, "batch": batch},
        index=county.index,
    )
    return pd.concat([keys, county], axis=1)


def _manifest(plan: SweepPlan) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "name": plan.name,
        "description": plan.spec.description,
        "sweep_file": str(plan.source),
        "created_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "config_hash": plan.config_hash,
        "section_hashes": plan.section_hashes,
        "provenance": environment(),
        "config": plan.config,
        "seeds": {
            "rule": (
                "SeedSequence(entropy=base seed, spawn_key=(replicate,)); independent streams "
                "put a hash of the design point's scenario in front of the replicate"
            ),
            "base_seed": plan.base["seed"],
            "streams": plan.spec.streams,
            "runs": [[t.run_id, t.point, t.replicate, t.seed] for t in plan.runs],
        },
    }


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame, preserve_index=False)
    write_atomically(path, lambda temporary: pq.write_table(table, temporary))


def _is_temporary(path: Path) -> bool:
    return path.name.startswith(".") and path.name.endswith(".tmp")
