"""What the analysis accessors return: the groups of places, the columns of every accessor's
DataFrame and the headline indicators with their labels and units."""

from __future__ import annotations

__all__ = ["BETA_FIELDS", "COLUMNS", "GROUPS", "INDICATORS", "TOP_AGE_BAND_WIDTH"]

#: Groups of places for the convergence measures: name -> levels.
GROUPS: dict[str, tuple[str, ...]] = {
    "county": ("county_town", "township", "village"),
    "villages": ("village",),
}

#: Width in years assumed for the open top age band (65+ is taken as 65-74) when a mean or
#: median age is computed from the age bands.
TOP_AGE_BAND_WIDTH = 10.0

BETA_FIELDS = ("beta", "se", "intercept", "r2", "n", "speed", "half_life")

#: The columns of every accessor's DataFrame, in order.
COLUMNS: dict[str, tuple[str, ...]] = {
    "sigma": (
        "year",
        "sigma_county",
        "sigma_villages",
        "cv_county",
        "cv_villages",
        "n_county",
        "n_villages",
    ),
    "beta": ("group", "start", "end", *BETA_FIELDS),
    "beta_points": (
        "place_id",
        "name",
        "level",
        "residents_start",
        "income_start",
        "income_end",
        "log_income_start",
        "growth",
    ),
    "theil": (
        "year",
        "theil",
        "theil_between_residence",
        "theil_within_residence",
        "between_share_residence",
        "theil_between_hukou",
        "theil_within_hukou",
        "between_share_hukou",
    ),
    "inequality": (
        "year",
        "gini",
        "gini_between_residence",
        "theil",
        "urban_share",
        "income_urban_pc",
        "income_rural_pc",
        "income_ratio",
    ),
    "flow_matrix": ("start", "end", "origin_level", "destination_level", "persons_per_year"),
    "migration_flows": ("year", "level_a", "level_b", "a_to_b", "b_to_a", "gross", "net_a_to_b"),
    "level_balance": (
        "year",
        "level",
        "inflow",
        "outflow",
        "net",
        "gross",
        "within",
        "efficiency",
    ),
    "county_boundary": (
        "year",
        "within_county",
        "leaving",
        "entering",
        "net_leaving",
        "between_outside",
    ),
    "net_migration": (
        "start",
        "end",
        "place_id",
        "name",
        "level",
        "residents",
        "moves_in",
        "moves_out",
        "net",
        "gross",
        "net_per_year",
        "net_rate_per_1000",
        "efficiency",
    ),
    "return_migration": ("year", "moves", "returns", "return_share"),
    "migrant_workers": (
        "year",
        "local",
        "out",
        "total",
        "local_share",
        "near",
        "province",
        "far",
        "near_share",
        "province_share",
        "far_share",
    ),
    "age_profile": (
        "age_band",
        "age_lower",
        "moves",
        "returns",
        "migrant_workers_local",
        "migrant_workers_out",
        "moves_share",
        "return_share",
        "local_share",
    ),
    "migrant_ages": (
        "year",
        "mean_age_movers",
        "median_age_movers",
        "mean_age_returners",
        "mean_age_local_workers",
        "mean_age_out_workers",
    ),
    "indicators": ("indicator", "label", "unit"),  # followed by one column per year
}

#: Headline indicators of :meth:`Analysis.indicators`: (key, label, unit). Units: persons,
#: yuan (per person per year), share (0-1), ratio, index, years.
INDICATORS: tuple[tuple[str, str, str], ...] = (
    ("residents_county", "Residents of the county", "persons"),
    ("urbanization_resident", "Resident urbanization", "share"),
    ("urbanization_registered", "Registered (hukou) urbanization", "share"),
    ("income_urban_pc", "Urban disposable income per person", "yuan"),
    ("income_rural_pc", "Rural disposable income per person", "yuan"),
    ("income_ratio", "Urban/rural income ratio", "ratio"),
    ("gini", "Gini coefficient, county residents", "index"),
    ("theil", "Theil T index, county residents", "index"),
    ("between_share_residence", "Theil share between urban and rural residents", "share"),
    ("between_share_hukou", "Theil share between hukou types", "share"),
    ("sigma_county", "Sigma: sd of log income across county places", "index"),
    ("sigma_villages", "Sigma: sd of log income across villages", "index"),
    ("migrant_workers", "Migrant workers (rural hukou, non-farm)", "persons"),
    ("local_share", "Migrant workers working locally", "share"),
    ("near_share", "Out-migrant workers in county or prefecture", "share"),
    ("net_leaving", "Net out-migration from the county", "persons"),
    ("return_share", "Return moves among all moves", "share"),
    ("mean_age_movers", "Mean age of movers", "years"),
    ("left_behind_children", "Left-behind children", "persons"),
)
