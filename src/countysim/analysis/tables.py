"""The tables of one run as the analysis sees them: one replicate, its years, and the
cross-sections, flow matrices and age bands the measures are computed from."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

from countysim.analysis.columns import GROUPS
from countysim.config.schema import LEVELS
from countysim.results import Results


def _age_lower(label: str) -> int:
    """Lower edge of an age band label such as ``"20-24"`` or ``"65+"``."""
    return int(label.split("-")[0].rstrip("+"))


class RunTables:
    """The tables of one run (one replicate of a run with replicates) and helpers that slice
    them; the measures are mixins on top of it (:class:`countysim.analysis.Analysis`).

    Results holding several replicates (a ``replicate`` column) are analysed one replicate
    at a time: ``replicate`` picks it (default: the first).
    """

    def __init__(self, results: Results, replicate: int | None = None) -> None:
        self.results = results
        names = ("county", "places", "flows", "ages", "world")
        tables = {name: getattr(results, name) for name in names}
        if "replicate" in results.county.columns:
            # a run with replicates: analyse one of them (default: the first)
            if replicate is None:
                replicate = int(results.county["replicate"].min())
            for name, df in tables.items():
                if "replicate" in df.columns:
                    tables[name] = df[df["replicate"] == replicate]
        elif replicate is not None:
            raise ValueError("these results have no replicates")
        self.replicate = replicate
        self.county: pd.DataFrame = tables["county"]
        self.places: pd.DataFrame = tables["places"]
        self.flows: pd.DataFrame = tables["flows"]
        self.ages: pd.DataFrame = tables["ages"]
        self.world: pd.DataFrame = tables["world"]
        self.years: list[int] = sorted(int(y) for y in self.county["year"].unique())
        if not self.years:
            raise ValueError("the county table has no years to analyse")

    @classmethod
    @classmethod
    def load(cls, directory: str | os.PathLike):
        """The analysis of a saved result directory."""
        return cls(Results.load(directory))

    def _window(self, start: int | None, end: int | None) -> tuple[int, int]:
        start = self.years[0] if start is None else int(start)
        end = self.years[-1] if end is None else int(end)
        for year in (start, end):
            if year not in self.years:
                raise ValueError(
                    f"year {year} is not in the run ({self.years[0]}..{self.years[-1]})"
                )
        if start > end:
            raise ValueError(f"window start {start} is after its end {end}")
        return start, end

    def _cross_section(self, year: int, group: str) -> pd.DataFrame:
        """Places of ``group`` with residents and positive income in ``year``."""
        p = self.places
        keep = (
            (p["year"] == year)
            & p["level"].isin(GROUPS[group])
            & (p["residents"] > 0)
            & (p["income_pc"] > 0)
        )
        return p.loc[keep]

    def _flow_matrices(self) -> dict[int, np.ndarray]:
        """Per year, the level x level matrix ``F[o, d]`` of persons moving (LEVELS order)."""
        f = self.flows
        table = f.pivot_table(
            index=["year", "origin_level"],
            columns="destination_level",
            values="persons",
            aggfunc="sum",
            fill_value=0,
        )
        full = pd.MultiIndex.from_product([self.years, LEVELS])
        table = table.reindex(index=full, columns=list(LEVELS), fill_value=0)
        n = len(LEVELS)
        return {y: table.loc[y].to_numpy(dtype=float).reshape(n, n) for y in self.years}

    def _ages(self) -> pd.DataFrame:
        a = self.ages.copy()
        a["age_lower"] = a["age_band"].map(_age_lower)
        return a.sort_values(["year", "age_lower"])
