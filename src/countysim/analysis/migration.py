"""Migration measures of a run: flows between levels, migration balances of levels, places
and the county boundary, return migration, migrant workers and the age profile of movers."""

from __future__ import annotations

import numpy as np
import pandas as pd

from countysim.analysis.columns import COLUMNS, TOP_AGE_BAND_WIDTH
from countysim.analysis.tables import RunTables
from countysim.config.schema import LEVELS
from countysim.measures import (
    bilateral_net,
    boundary_split,
    composition,
    gross_migration,
    grouped_mean,
    grouped_median,
    level_balance,
    local_share,
    migration_efficiency,
    net_migration,
    net_migration_rate,
    return_share,
)


class MigrationMeasures(RunTables):
    """Moves between levels and places, return migration, migrant workers by destination
    and age."""

    def flow_matrix(self, start: int | None = None, end: int | None = None) -> pd.DataFrame:
        """Moves between levels, mean persons per year over ``start..end``.

        One row per (``origin_level``, ``destination_level``) in level order, with
        ``persons_per_year``; ``start`` and ``end`` repeat the window. Same-level rows are
        moves between two places of that level.
        """
        start, end = self._window(start, end)
        mats = self._flow_matrices()
        mean = np.mean([mats[y] for y in self.years if start <= y <= end], axis=0)
        o, d = np.meshgrid(np.arange(len(LEVELS)), np.arange(len(LEVELS)), indexing="ij")
        return pd.DataFrame(
            {
                "start": start,
                "end": end,
                "origin_level": np.array(LEVELS)[o.ravel()],
                "destination_level": np.array(LEVELS)[d.ravel()],
                "persons_per_year": mean.ravel(),
            },
            columns=COLUMNS["flow_matrix"],
        )

    def migration_flows(self) -> pd.DataFrame:
        """Gross and net flows between each pair of levels, per year.

        One row per year and pair ``level_a``, ``level_b`` (``a`` before ``b`` in the order
        village, township, county town, city): ``a_to_b``, ``b_to_a`` (persons),
        ``gross`` ``= a_to_b + b_to_a`` and ``net_a_to_b`` ``= a_to_b - b_to_a``
        (:func:`countysim.measures.bilateral_net`).
        """
        rows = []
        for year, f in self._flow_matrices().items():
            net = bilateral_net(f)
            for a in range(len(LEVELS)):
                for b in range(a + 1, len(LEVELS)):
                    rows.append(
                        {
                            "year": year,
                            "level_a": LEVELS[a],
                            "level_b": LEVELS[b],
                            "a_to_b": f[a, b],
                            "b_to_a": f[b, a],
                            "gross": f[a, b] + f[b, a],
                            "net_a_to_b": net[a, b],
                        }
                    )
        return pd.DataFrame(rows, columns=COLUMNS["migration_flows"])

    def level_balance(self) -> pd.DataFrame:
        """Migration balance of each level per year (:func:`countysim.measures.level_balance`).

        ``inflow``, ``outflow`` (persons arriving from / leaving for another level), ``net``
        ``= inflow - outflow``, ``gross`` ``= inflow + outflow``, ``within`` (moves between
        places of the same level) and ``efficiency`` ``= net / gross``.
        """
        rows = []
        for year, f in self._flow_matrices().items():
            bal = level_balance(f)
            eff = migration_efficiency(bal.inflow, bal.outflow)
            for i, level in enumerate(LEVELS):
                rows.append(
                    {
                        "year": year,
                        "level": level,
                        "inflow": bal.inflow[i],
                        "outflow": bal.outflow[i],
                        "net": bal.net[i],
                        "gross": bal.gross[i],
                        "within": bal.within[i],
                        "efficiency": eff[i],
                    }
                )
        return pd.DataFrame(rows, columns=COLUMNS["level_balance"])

    def county_boundary(self) -> pd.DataFrame:
        """In-county and out-of-county moves per year (:func:`countysim.measures.boundary_split`).

        ``within_county`` (both ends in the county), ``leaving`` (county -> outside city),
        ``entering`` (outside city -> county), ``net_leaving`` ``= leaving - entering`` and
        ``between_outside`` (between outside cities), in persons.
        """
        inside = np.array([level != "city" for level in LEVELS])
        rows = []
        for year, f in self._flow_matrices().items():
            split = boundary_split(f, inside)
            rows.append(
                {
                    "year": year,
                    "within_county": split.within,
                    "leaving": split.leaving,
                    "entering": split.entering,
                    "net_leaving": split.net_leaving,
                    "between_outside": split.outside,
                }
            )
        return pd.DataFrame(rows, columns=COLUMNS["county_boundary"])

    def net_migration(
        self, year: int | None = None, *, start: int | None = None, end: int | None = None
    ) -> pd.DataFrame:
        """Migration balance of every place over one ``year`` or the window ``start..end``.

        Without arguments: the whole run. Per place (``place_id``, ``name``, ``level``):
        ``residents`` (mean over the years), ``moves_in``, ``moves_out``, ``net`` ``= in -
        out`` and ``gross`` ``= in + out`` summed over the window, ``net_per_year``,
        ``net_rate_per_1000`` ``= 1000 net / Σ_t residents_t`` (per 1,000 residents per
        year) and ``efficiency`` ``= net / gross``; ``start`` and ``end`` repeat the window.
        """
        if year is not None:
            if start is not None or end is not None:
                raise ValueError("give either year or start/end, not both")
            start = end = year
        start, end = self._window(start, end)
        p = self.places
        p = p[(p["year"] >= start) & (p["year"] <= end)]
        g = p.groupby("place_id", sort=True).agg(
            name=("name", "first"),
            level=("level", "first"),
            person_years=("residents", "sum"),
            moves_in=("moves_in", "sum"),
            moves_out=("moves_out", "sum"),
        )
        n_years = sum(start <= y <= end for y in self.years)
        moves_in, moves_out = g["moves_in"].to_numpy(float), g["moves_out"].to_numpy(float)
        net = net_migration(moves_in, moves_out)
        return pd.DataFrame(
            {
                "start": start,
                "end": end,
                "place_id": g.index.to_numpy(),
                "name": g["name"].to_numpy(),
                "level": g["level"].to_numpy(),
                "residents": g["person_years"].to_numpy(float) / n_years,
                "moves_in": moves_in,
                "moves_out": moves_out,
                "net": net,
                "gross": gross_migration(moves_in, moves_out),
                "net_per_year": net / n_years,
                "net_rate_per_1000": net_migration_rate(moves_in, moves_out, g["person_years"]),
                "efficiency": migration_efficiency(moves_in, moves_out),
            },
            columns=COLUMNS["net_migration"],
        )

    def return_migration(self) -> pd.DataFrame:
        """Return moves per year: ``moves`` (all moves), ``returns`` (moves back to the
        household home) and ``return_share`` ``= returns / moves``."""
        a = self.ages.groupby("year", sort=True)[["moves", "returns"]].sum()
        return pd.DataFrame(
            {
                "year": a.index.astype(int).to_numpy(),
                "moves": a["moves"].to_numpy(float),
                "returns": a["returns"].to_numpy(float),
                "return_share": return_share(a["returns"], a["moves"]),
            },
            columns=COLUMNS["return_migration"],
        )

    def migrant_workers(self) -> pd.DataFrame:
        """Where migrant workers (rural hukou, non-farm work) work, per year.

        ``local`` (in the home township), ``out`` (elsewhere), ``total``, ``local_share``
        ``= local / total``; out-migrant workers by destination: ``near`` (in the county or
        the prefecture city), ``province`` (elsewhere in the province), ``far`` (outside
        the province) and their shares of ``out``.
        """
        c = self.county.sort_values("year")
        local = c["migrant_workers_local"].to_numpy(float)
        out = c["migrant_workers_out"].to_numpy(float)
        dest = c[["migrants_near", "migrants_province", "migrants_far"]].to_numpy(float)
        shares = composition(dest)
        return pd.DataFrame(
            {
                "year": c["year"].astype(int).to_numpy(),
                "local": local,
                "out": out,
                "total": local + out,
                "local_share": local_share(local, out),
                "near": dest[:, 0],
                "province": dest[:, 1],
                "far": dest[:, 2],
                "near_share": shares[:, 0],
                "province_share": shares[:, 1],
                "far_share": shares[:, 2],
            },
            columns=COLUMNS["migrant_workers"],
        )

    def age_profile(self, start: int | None = None, end: int | None = None) -> pd.DataFrame:
        """Age profile of migrants, mean per year over ``start..end`` (default: the run).

        One row per age band (``age_band`` label, ``age_lower`` its first year of age):
        ``moves`` and ``returns`` (persons moving per year), ``migrant_workers_local`` and
        ``migrant_workers_out`` (persons, mean stock); ``moves_share`` (the band's share of
        all moves), ``return_share`` ``= returns / moves`` and ``local_share`` ``= local /
        (local + out)`` within the band.
        """
        start, end = self._window(start, end)
        a = self._ages()
        a = a[(a["year"] >= start) & (a["year"] <= end)]
        counts = ["moves", "returns", "migrant_workers_local", "migrant_workers_out"]
        m = a.groupby(["age_lower", "age_band"], sort=True)[counts].mean().reset_index()
        m["moves_share"] = composition(m["moves"])
        m["return_share"] = return_share(m["returns"], m["moves"])
        m["local_share"] = local_share(m["migrant_workers_local"], m["migrant_workers_out"])
        return m[list(COLUMNS["age_profile"])]

    def migrant_ages(self) -> pd.DataFrame:
        """Mean and median ages of migrants per year, from the age bands.

        ``mean_age_movers``, ``median_age_movers``, ``mean_age_returners``,
        ``mean_age_local_workers``, ``mean_age_out_workers`` in years
        (:func:`countysim.measures.grouped_mean` and ``grouped_median``; the open top band is
        taken as :data:`TOP_AGE_BAND_WIDTH` years wide).
        """
        means = {
            "mean_age_movers": "moves",
            "mean_age_returners": "returns",
            "mean_age_local_workers": "migrant_workers_local",
            "mean_age_out_workers": "migrant_workers_out",
        }
        rows = []
        for year, a in self._ages().groupby("year", sort=True):
            edges = a["age_lower"].to_numpy()
            row = {"year": int(year)}
            row.update(
                {key: grouped_mean(a[col], edges, TOP_AGE_BAND_WIDTH) for key, col in means.items()}
            )
            row["median_age_movers"] = grouped_median(a["moves"], edges, TOP_AGE_BAND_WIDTH)
            rows.append(row)
        return pd.DataFrame(rows, columns=COLUMNS["migrant_ages"])
