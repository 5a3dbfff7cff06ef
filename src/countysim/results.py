"""The results of a run: tables as pandas DataFrames, a short summary, and saving with
provenance. Figures, analysis and reports read a Results (`countysim.figures`,
`countysim.analysis`, `countysim.reports`); Results knows none of them."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

import pandas as pd

from countysim.atomic import atomic_directory
from countysim.config import dump_yaml, resolved_dict
from countysim.provenance import manifest as run_manifest

TABLES = ("county", "places", "flows", "ages", "world")


@dataclass(repr=False)
class Results:
    """Tables of one run.

    - ``county``: one row per year (population, urbanization, migrant workers, incomes,
      inequality, unemployment, accounting);
    - ``places``: place x year panel (residents, registered, employment, income, ...);
    - ``flows``: moves between levels per year (origin_level, destination_level, persons);
    - ``ages``: migration age profile per year (moves, returns, local and out-migrant
      workers by age band);
    - ``world``: the places and their coordinates;
    - ``manifest``: provenance (version, git commit, resolved scenario and hash, seed).

    Every column's meaning and unit: ``docs/outputs.md`` (from `countysim.output_columns`).
    """

    county: pd.DataFrame
    places: pd.DataFrame
    flows: pd.DataFrame
    ages: pd.DataFrame
    world: pd.DataFrame
    manifest: dict

    #: The tables `save` writes and `load` reads, one CSV each.
    table_names: ClassVar[tuple[str, ...]] = TABLES

    @classmethod
    def from_model(
        cls, model, *, seconds: float | None = None, started: datetime | None = None
    ) -> Results:
        """The Results of a `countysim.model.CountyModel` stepped so far (by `model.run()`
        or by hand with `model.step()`): its recorded years, its places and provenance.

        `seconds` and `started` are the run time and start for the manifest; a model stepped
        by hand has no run time (``run_seconds`` is null) and starts when this is called."""
        if not model.recorder.county:
            raise ValueError("the model has recorded no year yet: call model.step() first")
        resolved = resolved_dict(model.scenario)
        info = run_manifest(
            resolved,
            seconds=0.0 if seconds is None else seconds,
            started=started or datetime.now(UTC),
        )
        if seconds is None:
            info["run_seconds"] = None
        return cls(
            **model.recorder.tables(), world=pd.DataFrame(model.world.table()), manifest=info
        )

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.brief(lines=False)}>"

    def brief(self, *, lines: bool = True) -> str:
        """A short summary: scenario, years, scale and seed, then resident and registered
        urbanization, incomes (nominal yuan) and migrant workers in the first and last year.
        Tables of several replicates are summarised by their mean. ``lines=False`` gives
        one line."""
        county = self.county
        if county.empty:
            return f"{self.manifest.get('scenario_name', '?')}: no years recorded"
        numeric = county.select_dtypes("number")
        by_year = numeric.groupby(county["year"]).mean()
        first, last = by_year.iloc[0], by_year.iloc[-1]
        y0, y1 = int(by_year.index[0]), int(by_year.index[-1])
        scenario = self.manifest.get("scenario", {})
        scale = scenario.get("simulation", {}).get("scale", "?")
        n = int(county["replicate"].nunique()) if "replicate" in county else 1
        runs = f", mean of {n} replicates" if n > 1 else ""
        head = (
            f"{self.manifest.get('scenario_name', '?')}: {y0}-{y1}, scale {scale}, "
            f"seed {self.manifest.get('seed', '?')}{runs}"
        )

        def change(col: str, fmt: str) -> str:
            if col not in by_year:
                return "–"
            return f"{format(first[col], fmt)} -> {format(last[col], fmt)}"

        migrants = by_year.get("migrant_workers_local", 0) + by_year.get("migrant_workers_out", 0)
        facts = [
            ("residents of the county", change("residents_county", ",.0f")),
            ("resident urbanization", change("urbanization_resident", ".1%")),
            ("registered urbanization", change("urbanization_registered", ".1%")),
            ("urban income per person (nominal yuan)", change("income_urban_pc", ",.0f")),
            ("rural income per person (nominal yuan)", change("income_rural_pc", ",.0f")),
            ("urban/rural income ratio", change("income_ratio", ".2f")),
            (
                "migrant workers",
                f"{migrants.iloc[0]:,.0f} -> {migrants.iloc[-1]:,.0f}"
                if isinstance(migrants, pd.Series)
                else "–",
            ),
        ]
        if not lines:
            short = facts[1], facts[2], facts[5]
            return f"{head}; {y1}: " + ", ".join(
                f"{label} {value.split(' -> ')[-1]}" for label, value in short
            )
        width = max(len(label) for label, _ in facts)
        body = "\n".join(f"  {label:<{width}}  {value}" for label, value in facts)
        return f"{head}\n  {'':<{width}}  {y0} -> {y1}\n{body}"

    def to_df(self, table: str = "county") -> pd.DataFrame:
        if table not in self.table_names:
            raise KeyError(f"no table {table!r}; choose from {', '.join(self.table_names)}")
        return getattr(self, table)

    def save(
        self,
        out_dir: str | os.PathLike,
        *,
        overwrite: bool = False,
        extra: Callable[[Path], object] | None = None,
    ) -> Path:
        """Write tables (CSV), the resolved scenario and the manifest to `out_dir`; `extra`,
        if given, is called with the directory being written to add files of its own
        (figures and the report: `countysim.reports.save_run`).

        Everything is written to a temporary directory next to `out_dir` and moved into place
        at the end, so a failure never leaves a half-written result directory. An existing
        `out_dir` is replaced only if it holds earlier countysim results and `overwrite` is
        true; anything else raises `countysim.atomic.OutputExistsError` and is left alone."""
        with atomic_directory(out_dir, overwrite=overwrite) as tmp:
            for name in self.table_names:
                getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n")
            dump_yaml(self.manifest["scenario"], tmp / "scenario.yaml")
            if extra is not None:
                extra(tmp)
        return Path(out_dir)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Results:
        d = Path(directory)
        tables = {name: pd.read_csv(d / f"{name}.csv") for name in cls.table_names}
        return cls(**tables, manifest=json.loads((d / "manifest.json").read_text()))
