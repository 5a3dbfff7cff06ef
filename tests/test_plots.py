"""Tests for countysim.plots on small synthetic tables."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.legend import Legend

from countysim import plots

YEARS = list(range(2020, 2025))


def make_tables(seed: int = 0, years: list[int] | None = None):
    """A plausible 5-year county: 1 county town, 3 townships, 9 villages, 2 outside cities.

    Returns ``(county, flows, places, world)`` with the columns the model writes.
    """
    rng = np.random.default_rng(seed)
    years = list(YEARS if years is None else years)

    rows = [(0, "Chengguan", "county_town", -1, 0.0, 0.0)]
    for t in range(3):
        ang = 2 * np.pi * t / 3
        rows.append((1 + t, f"Township {t + 1}", "township", 0, 18 * np.cos(ang), 18 * np.sin(ang)))
    pid = 4
    for t in range(3):
        tx, ty = rows[1 + t][4], rows[1 + t][5]
        for v in range(3):
            ang = 2 * np.pi * v / 3 + 0.4 * t
            rows.append(
                (
                    pid,
                    f"Village {pid}",
                    "village",
                    1 + t,
                    tx + 6 * np.cos(ang),
                    ty + 6 * np.sin(ang),
                )
            )
            pid += 1
    rows.append((pid, "Prefecture city", "city", -1, 80.0, 40.0))
    rows.append((pid + 1, "Provincial capital", "city", -1, 300.0, -150.0))
    world = pd.DataFrame(rows, columns=["place_id", "name", "level", "parent", "x_km", "y_km"])
    world["arable_mu"] = np.where(world["level"] == "village", 3000.0, 0.0)

    base = {"county_town": 90_000.0, "township": 9_000.0, "village": 4_500.0, "city": 25_000.0}
    growth = {"county_town": 0.04, "township": 0.01, "village": -0.03, "city": 0.05}
    income0 = {"county_town": 38_000.0, "township": 26_000.0, "village": 16_000.0, "city": 52_000.0}
    prow = []
    for i, y in enumerate(years):
        for _, w in world.iterrows():
            lv = w["level"]
            res = base[lv] * (1 + growth[lv]) ** i * rng.uniform(0.7, 1.3)
            inc = income0[lv] * 1.06**i * rng.uniform(0.85, 1.15)
            emp = res * 0.55
            prow.append(
                dict(
                    year=y,
                    place_id=w["place_id"],
                    name=w["name"],
                    level=lv,
                    residents=round(res),
                    registered=round(res * (1.1 if lv == "village" else 0.8)),
                    employment=round(emp),
                    income_pc=inc,
                    wage=inc * 1.3,
                    unemployment_rate=rng.uniform(0.02, 0.08),
                )
            )
    places = pd.DataFrame(prow)

    by = places.groupby(["year", "level"])["residents"].sum().unstack()
    reg = places.groupby(["year", "level"])["registered"].sum().unstack()
    county = pd.DataFrame({"year": years})
    county["residents_county_town"] = by["county_town"].to_numpy()
    county["residents_township"] = by["township"].to_numpy()
    county["residents_village"] = by["village"].to_numpy()
    county["residents_outside"] = by["city"].to_numpy()
    county["residents_county"] = county[
        ["residents_county_town", "residents_township", "residents_village"]
    ].sum(axis=1)
    for lv in ("county_town", "township", "village"):
        county[f"registered_{lv}"] = reg[lv].to_numpy()
    county["registered_total"] = reg.sum(axis=1).to_numpy()
    urban = county["residents_county_town"] + county["residents_township"]
    county["urbanization_resident"] = urban / county["residents_county"]
    county["urbanization_registered"] = county["urbanization_resident"] * 0.7
    everyone = county["residents_county"] + county["residents_outside"]
    county["urbanization_resident_origin"] = (urban + county["residents_outside"]) / everyone
    county["urbanization_registered_origin"] = county["urbanization_registered"] * 0.9
    county["migrant_workers_local"] = 8000 + 500 * np.arange(len(years))
    county["migrant_workers_out"] = 30000 - 300 * np.arange(len(years))
    county["migrant_local_share"] = county["migrant_workers_local"] / (
        county["migrant_workers_local"] + county["migrant_workers_out"]
    )
    county["migrants_near"] = county["migrant_workers_out"] * 0.3
    county["migrants_province"] = county["migrant_workers_out"] * 0.3
    county["migrants_far"] = county["migrant_workers_out"] * 0.4
    county["income_urban_pc"] = 40_000.0 * 1.05 ** np.arange(len(years))
    county["income_rural_pc"] = 17_000.0 * 1.08 ** np.arange(len(years))
    county["income_ratio"] = county["income_urban_pc"] / county["income_rural_pc"]
    county["gini"] = 0.38
    county["theil"] = 0.25
    county["theil_between"] = 0.1
    county["theil_within"] = 0.15
    for lv in ("county_town", "township", "village", "city"):
        county[f"unemployment_{lv}"] = 0.04

    levels = ["village", "township", "county_town", "city"]
    vol = {
        ("village", "village"): 3000,
        ("village", "township"): 900,
        ("village", "county_town"): 1600,
        ("village", "city"): 2500,
        ("township", "county_town"): 700,
        ("township", "city"): 600,
        ("county_town", "city"): 800,
        ("city", "village"): 400,
        ("city", "county_town"): 500,
        ("township", "village"): 15,  # tiny -> "other moves"
        ("county_town", "township"): 8,
    }
    frows = []
    for i, y in enumerate(years):
        for o in levels:
            for d in levels:
                if (o, d) in vol:
                    persons = vol[(o, d)] * (1 + 0.08 * i) * rng.uniform(0.8, 1.2)
                    frows.append((y, o, d, round(persons)))
    flows = pd.DataFrame(frows, columns=["year", "origin_level", "destination_level", "persons"])
    return county, flows, places, world


@pytest.fixture(scope="module")
def tables():
    return make_tables()


def _labels_ok(ax: Axes) -> None:
    assert ax.get_xlabel(), "missing x label"
    assert ax.get_ylabel(), "missing y label"
    assert ax.get_title(), "missing title"


def _has_data(ax: Axes) -> bool:
    return bool(ax.lines) or bool(ax.collections)


def _xticks_are_integer_years(ax: Axes) -> None:
    ax.figure.canvas.draw()
    texts = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert texts, "no x tick labels"
    for t in texts:
        assert t.isdigit() and len(t) == 4, f"year tick label {t!r} is not an integer year"


# ------------------------------------------------------------------------ single plots


@pytest.mark.parametrize(
    "func, n_lines",
    [(plots.plot_population, 4), (plots.plot_urbanization, 4)],
)
def test_county_timeseries(tables, func, n_lines):
    county = tables[0]
    ax = func(county)
    assert isinstance(ax, Axes) and isinstance(ax.figure, Figure)
    assert len(ax.lines) == n_lines
    _labels_ok(ax)
    assert ax.get_legend() is not None
    _xticks_are_integer_years(ax)


def test_population_units(tables):
    county = tables[0]
    ax = plots.plot_population(county)
    assert "thousand" in ax.get_ylabel()
    ct = ax.lines[0].get_ydata()
    np.testing.assert_allclose(ct, county["residents_county_town"] / 1000)
    colors = [ln.get_color() for ln in ax.lines]
    assert colors == [plots.LEVEL_COLORS[k] for k in ("county_town", "township", "village", "city")]


def test_urbanization_percent_and_styles(tables):
    county = tables[0]
    ax = plots.plot_urbanization(county)
    assert "%" in ax.get_ylabel()
    np.testing.assert_allclose(ax.lines[0].get_ydata(), 100 * county["urbanization_resident"])
    styles = [ln.get_linestyle() for ln in ax.lines]
    assert styles == ["-", "-", "--", "--"]


def test_income_and_ratio_are_two_panels_without_twin_axes(tables):
    county = tables[0]
    ax = plots.plot_income(county)
    _labels_ok(ax)
    assert "nominal yuan" in ax.get_ylabel()
    assert ax.figure.axes == [ax]  # no right-hand axis
    assert [ln.get_label() for ln in ax.lines] == ["Urban residents", "Rural residents"]
    ratio = plots.plot_income_ratio(county)
    _labels_ok(ratio)
    np.testing.assert_allclose(ratio.lines[0].get_ydata(), county["income_ratio"])
    _xticks_are_integer_years(ax)


def test_national_statistics_are_drawn_for_reference_where_years_overlap():
    county, *_ = make_tables(years=list(range(2012, 2020)))
    ax = plots.plot_urbanization(county)
    labels = [ln.get_label() for ln in ax.lines]
    reference = [lb for lb in labels if "for reference" in lb]
    assert reference == [
        "national resident urbanization (as published), for reference",
        "national hukou urbanization, for reference",
    ]
    national = next(ln for ln in ax.lines if ln.get_label() == reference[0])
    assert list(national.get_xdata()) == list(range(2012, 2020))
    assert national.get_ydata()[0] == pytest.approx(52.57, abs=0.01)  # 2012 as published
    assert national.get_linestyle() == "None"  # points, not a model line
    income = plots.plot_income(county)
    assert sum("for reference" in ln.get_label() for ln in income.lines) == 2
    urban = next(ln for ln in income.lines if "urban disposable" in ln.get_label())
    assert min(urban.get_xdata()) == 2013  # the disposable-income basis starts in 2013
    ratio = plots.plot_income_ratio(county)
    assert any("ratio, for reference" in ln.get_label() for ln in ratio.lines)
    # years after the statistics: nothing drawn
    late = plots.plot_urbanization(make_tables(years=list(range(2020, 2025)))[0])
    assert not [ln for ln in late.lines if "reference" in ln.get_label()]


def test_migration_small_multiples_one_panel_per_destination(tables):
    flows = tables[1]
    fig = plots.plot_migration(flows)
    axes = [a for a in fig.axes if a.get_title()]
    assert [a.get_title() for a in axes] == [
        "Moving to outside cities",
        "Moving to the county town",
        "Moving to township seats",
        "Moving to villages",
    ]
    assert all(len(a.lines) <= 4 for a in axes)  # one line per origin level at most
    to_city = {ln.get_label(): ln for ln in axes[0].lines}
    assert "from village" in to_city
    expected = flows[(flows.origin_level == "village") & (flows.destination_level == "city")]
    np.testing.assert_allclose(to_city["from village"].get_ydata(), expected["persons"])
    village_panel = {ln.get_label() for ln in axes[3].lines}
    assert "from village" not in village_panel  # moves between villages are left out
    assert fig.legends and not any(a.get_legend() for a in axes)
    for ax in axes[2:]:
        _xticks_are_integer_years(ax)


def test_migration_panels_share_an_axis_that_shows_every_line(tables):
    """The largest flow may be in any panel: no line runs off the shared axis."""
    flows = tables[1].copy()
    later = (flows.origin_level == "village") & (flows.destination_level == "county_town")
    flows.loc[later, "persons"] *= 10
    axes = [a for a in plots.plot_migration(flows).axes if a.get_title()]
    top = max(float(np.max(ln.get_ydata())) for a in axes for ln in a.lines)
    assert all(a.get_ylim()[0] == 0 and a.get_ylim()[1] >= top for a in axes)


def test_migration_missing_years_filled_and_no_flows(tables):
    flows = tables[1]
    sparse = flows[~((flows["origin_level"] == "city") & (flows["year"] == 2022))]
    fig = plots.plot_migration(sparse)
    to_town = fig.axes[1]
    city_line = next(ln for ln in to_town.lines if ln.get_label() == "from city")
    assert len(city_line.get_xdata()) == len(YEARS)
    assert city_line.get_ydata()[2] == 0
    only_village = flows[
        (flows["origin_level"] == "village") & (flows["destination_level"] == "village")
    ]
    empty = plots.plot_migration(only_village)
    assert all(a.texts for a in empty.axes)  # "no moves" notes instead of empty panels


def test_map(tables):
    _, _, places, world = tables
    ax = plots.plot_map(world, places)
    _labels_ok(ax)
    assert "2024" in ax.get_title()
    assert ax.get_aspect() == 1.0
    # 3 scatter collections (villages, townships, county town) + 2 link collections
    assert len(ax.collections) == 5
    pts = sum(
        len(c.get_offsets())
        for c in ax.collections
        if c.get_offsets().size and c.get_array() is not None
    )
    assert pts == 13  # cities are not drawn
    cbar_axes = [a for a in ax.figure.axes if a is not ax]
    assert cbar_axes and "yuan" in cbar_axes[0].get_xlabel()
    # size legend (current legend) plus the place-type legend kept as an artist
    assert ax.get_legend().get_title().get_text() == "Residents"
    kept = [a for a in ax.artists if isinstance(a, Legend)]
    assert kept and kept[0].get_title().get_text() == "Place type"


def test_map_marker_area_proportional_to_residents(tables):
    _, _, places, world = tables
    ax = plots.plot_map(world, places, year=2021)
    villages = ax.collections[2]  # first scatter after the two link collections
    snap = places[(places["year"] == 2021) & (places["level"] == "village")]
    sizes = np.asarray(villages.get_sizes())
    np.testing.assert_allclose(sizes / sizes.sum(), snap["residents"] / snap["residents"].sum())


def test_map_bad_year(tables):
    _, _, places, world = tables
    with pytest.raises(ValueError, match="1999"):
        plots.plot_map(world, places, year=1999)


# -------------------------------------------------------------------- external axes


def test_external_axes(tables):
    county, flows, places, world = tables
    fig = Figure(figsize=(12, 8))
    axes = fig.subplots(2, 3).ravel()
    out = [
        plots.plot_population(county, ax=axes[0]),
        plots.plot_urbanization(county, ax=axes[1]),
        plots.plot_income(county, ax=axes[2]),
        plots.plot_income_ratio(county, ax=axes[3]),
        plots.plot_map(world, places, ax=axes[4]),
    ]
    for given, got in zip(axes[:5], out, strict=True):
        assert got is given
        assert _has_data(got)
        _labels_ok(got)
    fig.savefig(__import__("io").BytesIO(), format="png")


def test_no_pyplot_state(tables):
    """The module must not register figures with pyplot or switch backends."""
    import matplotlib

    backend = matplotlib.get_backend()
    county, flows, places, world = tables
    plots.plot_overview(county, flows, places, world)
    assert matplotlib.get_backend() == backend
    if "matplotlib.pyplot" in sys.modules:
        assert sys.modules["matplotlib.pyplot"].get_fignums() == []


# ------------------------------------------------------------------- overview / files


def test_overview(tables):
    fig = plots.plot_overview(*tables)
    assert isinstance(fig, Figure)
    data_axes = [a for a in fig.axes if a.get_title()]
    # population, urbanization, income, ratio, four migration panels, the map
    assert len(data_axes) == 9
    assert all(_has_data(a) for a in data_axes)
    fig.canvas.draw()


def test_save_run_figures(tables, tmp_path):
    paths = plots.save_run_figures(*tables, tmp_path / "figs", formats=("png", "svg"))
    names = [p.name for p in paths]
    expected = [
        f"{n}.{f}"
        for n in ("population", "urbanization", "income", "migration", "map")
        for f in ("png", "svg")
    ]
    assert names == expected
    for p in paths:
        assert p.exists()
        assert p.stat().st_size > 10_000, f"{p.name} looks empty"
    with open(paths[0], "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_save_run_figures_bad_format(tables, tmp_path):
    with pytest.raises(ValueError, match="xyz"):
        plots.save_run_figures(*tables, tmp_path, formats=("xyz",))


# ------------------------------------------------------------------ column validation


@pytest.mark.parametrize(
    "func, table_idx, column",
    [
        (plots.plot_population, 0, "residents_outside"),
        (plots.plot_urbanization, 0, "urbanization_registered_origin"),
        (plots.plot_income, 0, "income_rural_pc"),
        (plots.plot_income_ratio, 0, "income_ratio"),
        (plots.plot_migration, 1, "destination_level"),
        (plots.plot_population, 0, "year"),
    ],
)
def test_missing_column_single(tables, func, table_idx, column):
    df = tables[table_idx].drop(columns=[column])
    with pytest.raises(KeyError, match=column):
        func(df)
    with pytest.raises(ValueError, match=column):
        func(df)


@pytest.mark.parametrize(
    "which, column", [("world", "x_km"), ("world", "parent"), ("places", "residents")]
)
def test_missing_column_map(tables, which, column):
    _, _, places, world = tables
    if which == "world":
        world = world.drop(columns=[column])
    else:
        places = places.drop(columns=[column])
    with pytest.raises(KeyError, match=column):
        plots.plot_map(world, places)


def test_missing_column_save_fails_before_writing(tables, tmp_path):
    county, flows, places, world = tables
    outdir = tmp_path / "figs"
    with pytest.raises(KeyError, match="income_pc"):
        plots.save_run_figures(county, flows, places.drop(columns=["income_pc"]), world, outdir)
    assert not outdir.exists() or not any(outdir.iterdir())


def test_empty_table(tables):
    county = tables[0]
    with pytest.raises(ValueError, match="empty"):
        plots.plot_population(county.iloc[0:0])


def test_long_run_has_integer_year_ticks():
    county, flows, places, world = make_tables(seed=1, years=list(range(2020, 2051)))
    ax = plots.plot_population(county)
    _xticks_are_integer_years(ax)
    fig = plots.plot_migration(flows)
    _xticks_are_integer_years(fig.axes[-1])


def _overlapping_axes(fig: Figure) -> list:
    """Pairs of axes drawn at the same place (a twin y axis), after layout."""
    fig.canvas.draw()
    boxes = [tuple(np.round(a.get_position().bounds, 4)) for a in fig.axes]
    return [b for b in set(boxes) if boxes.count(b) > 1]


def test_no_figure_has_a_second_y_axis(tables):
    for name, fig in plots.run_figures(*tables).items():
        assert not _overlapping_axes(fig), name


@pytest.mark.parametrize("fmt, magic", [("pdf", b"%PDF"), ("svg", b"<?xml"), ("png", b"\x89PNG")])
def test_save_run_figures_in_each_format(tables, tmp_path, fmt, magic):
    paths = plots.save_run_figures(*tables, tmp_path, formats=fmt, dpi=60)
    assert [p.suffix for p in paths] == [f".{fmt}"] * 5
    assert paths[0].read_bytes()[: len(magic)] == magic


def test_dpi_sets_the_png_resolution(tables, tmp_path):
    from matplotlib.image import imread

    low = plots.save_run_figures(*tables, tmp_path / "low", formats="png", dpi=50)[0]
    high = plots.save_run_figures(*tables, tmp_path / "high", formats="png", dpi=100)[0]
    ratio = imread(high).shape[1] / imread(low).shape[1]
    assert ratio == pytest.approx(2.0, rel=0.05)
