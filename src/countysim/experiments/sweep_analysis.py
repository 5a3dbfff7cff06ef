"""What ``countysim analyze`` writes for a sweep store.

Into ``<store>/analysis/`` (or another directory): ``indices.csv`` with Sobol indices or
Morris effects of every output (Sobol and Morris designs), ``figures/indices_<output>.png``
with their bars and intervals, ``figures/scatter.png`` with every output against every
parameter, and ``figures/fan_<column>.png`` with the yearly spread across the design of
every county column an output reads. Each file is written atomically.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from countysim.atomic import MANIFEST, atomic_directory, check_output
from countysim.experiments import figures
from countysim.experiments.execution import OK
from countysim.experiments.sensitivity import AnalysisError, indices, point_means
from countysim.experiments.store import SweepStore, write_atomically
from countysim.provenance import environment

_DPI = 150


@dataclass(frozen=True)
class SweepAnalysis:
    """Sensitivity indices of a sweep's outputs and the files written."""

    directory: Path
    indices: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)  # output -> why it has no indices
    files: list[Path] = field(default_factory=list)
    note: str | None = None  # why the design has no indices at all

    def format(self) -> str:
        lines = [f"{len(self.files)} analysis files in {self.directory}"]
        lines += [f"  {self.note}"] if self.note else []
        lines += [f"  no indices: {why}" for why in self.skipped.values()]
        return "\n".join(lines)


def analyze_store(
    store_dir: str | os.PathLike,
    *,
    outputs: list[str] | None = None,
    out: str | os.PathLike | None = None,
    conf_level: float = 0.95,
    resamples: int = 1000,
    overwrite: bool = False,
) -> SweepAnalysis:
    """Analyse the ``outputs`` (default: all) of a sweep store and write tables and figures.

    Indices use the mean of each design point's successful replicates; an output that is
    undefined at some design point (a failed run, a threshold never crossed) is skipped with
    the reason. Raises ``AnalysisError`` if the store has no successful run.

    The folder is written whole or not at all, with a manifest; the store's own ``analysis``
    folder is renewed each time, while another ``out`` that exists is replaced only if it is
    an earlier countysim output and ``overwrite`` is given (``OutputExistsError`` otherwise,
    raised before anything is computed).
    """
    store = SweepStore.open(store_dir)
    specs = store.outputs()
    names = outputs or list(specs)
    if unknown := [name for name in names if name not in specs]:
        raise AnalysisError(f"no output {unknown[0]!r}; the sweep has {', '.join(specs)}")
    design = store.design()
    runs = store.runs()
    ok = runs[runs["status"] == OK] if len(runs) else runs
    if ok.empty:
        raise AnalysisError(f"{store.directory} holds no successful run yet")
    final = Path(out) if out is not None else store.directory / "analysis"
    renew = overwrite or out is None
    check_output(final, overwrite=renew)
    with atomic_directory(final, overwrite=renew) as target:
        (target / "figures").mkdir()
        table, skipped, files, note = _write_analysis(
            store, design, runs, ok, names, specs, target, conf_level, resamples
        )
        manifest = {
            "provenance": environment(),
            "store": str(store.directory),
            "outputs": names,
            "conf_level": conf_level,
            "resamples": resamples,
        }
        (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    files = [final / path.relative_to(target) for path in files]
    return SweepAnalysis(final, table, skipped, files, note)


def _write_analysis(store, design, runs, ok, names, specs, target, conf_level, resamples):
    """Indices, their figures, the scatter and fan figures of one analysis, into ``target``."""
    tables, skipped, note = [], {}, None
    if design.kind in ("sobol", "morris"):
        means = point_means(runs, design, names)
        for name in names:
            try:
                tables.append(
                    indices(design, means[name], conf_level=conf_level, resamples=resamples)
                )
            except AnalysisError as exc:
                skipped[name] = str(exc)
    else:
        note = f"a {design.kind} design has no sensitivity indices (sobol and morris designs do)"
    table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()

    files = []
    if not table.empty:
        path = target / "indices.csv"
        write_atomically(path, lambda temporary: table.to_csv(temporary, index=False))
        files.append(path)
        for name in table["output"].unique():
            ax = figures.plot_indices(table, name)
            files.append(_save(ax.figure, target / "figures" / f"indices_{name}.png"))
    labels = {name: spec.describe() for name, spec in specs.items()}
    scatter = figures.plot_scatter(ok, design.names, names, labels)
    files.append(_save(scatter, target / "figures" / "scatter.png"))
    series = store.series()
    for column in dict.fromkeys(specs[name].column_name for name in names):
        ax = figures.plot_fan(series, column)
        safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", column)  # lever columns hold ':' and '[ ]'
        files.append(_save(ax.figure, target / "figures" / f"fan_{safe}.png"))
    return table, skipped, files, note


def _save(figure, path: Path) -> Path:
    write_atomically(
        path,
        lambda temporary: figure.savefig(temporary, format="png", dpi=_DPI, bbox_inches="tight"),
    )
    return path
