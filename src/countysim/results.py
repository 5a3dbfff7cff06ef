"""The results of a run: tables as pandas DataFrames, plots, and saving with provenance."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pandas as pd

from countysim import plots
from countysim.analysis import Analysis
from countysim.atomic import atomic_directory
from countysim.config import dump_yaml
from countysim.provenance import footer

TABLES = ("county", "places", "flows", "ages", "world")


@dataclass
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
    """

    county: pd.DataFrame
    places: pd.DataFrame
    flows: pd.DataFrame
    ages: pd.DataFrame
    world: pd.DataFrame
    manifest: dict

    #: The tables `save` writes and `load` reads, one CSV each.
    table_names: ClassVar[tuple[str, ...]] = TABLES

    def to_df(self, table: str = "county") -> pd.DataFrame:
        if table not in self.table_names:
            raise KeyError(f"no table {table!r}; choose from {', '.join(self.table_names)}")
        return getattr(self, table)

    def plot(self, year: int | None = None):
        """The overview figure: population, urbanization, income, migration and the map."""
        return plots.plot_overview(self.county, self.flows, self.places, self.world, year=year)

    def analysis(self) -> Analysis:
        """Convergence, inequality and migration measures of this run (`countysim.analysis`)."""
        return Analysis(self)

    def save(self, out_dir: str | os.PathLike, *, figures: bool = True) -> Path:
        """Write tables (CSV), the resolved scenario, the manifest and figures to `out_dir`.

        Everything is written to a temporary directory next to `out_dir` and moved into place
        at the end, so a failure never leaves a half-written result directory."""
        with atomic_directory(out_dir) as tmp:
            for name in self.table_names:
                getattr(self, name).to_csv(tmp / f"{name}.csv", index=False)
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2) + "\n")
            dump_yaml(self.manifest["scenario"], tmp / "scenario.yaml")
            if figures:
                plots.save_run_figures(
                    self.county,
                    self.flows,
                    self.places,
                    self.world,
                    tmp / "figures",
                    footer=footer(self.manifest),
                )
        return Path(out_dir)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> Results:
        d = Path(directory)
        tables = {name: pd.read_csv(d / f"{name}.csv") for name in cls.table_names}
        return cls(**tables, manifest=json.loads((d / "manifest.json").read_text()))
