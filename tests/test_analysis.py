"""countysim.analysis on hand-made tables (exact values) and on a small run (consistency),
and the figures of countysim.analysis_plots."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from countysim import analysis_plots
from countysim.analysis import COLUMNS, INDICATORS, Analysis
from countysim.config.schema import LEVELS
from countysim.measures import two_group_theil
from countysim.results import Results

START, END = 2012, 2022  # T = 10 years
BETA, DRIFT = -0.02, 0.25  # y_T = e^{a T} y_0^{1 + β T}: growth = a + β ln y_0 exactly
# Level x level moves per year in LEVELS order (village, township, county_town, city).
FLOWS = np.array(
    [
        [0, 5, 10, 20],
        [1, 0, 4, 3],
        [2, 1, 0, 6],
        [8, 1, 2, 3],
    ]
)


def initial_income(level: str, i: int) -> float:
    return 50_000.0 if level == "city" else (1000.0, 3000.0)[i % 2]


def hand_made_results(n_villages: int = 4, replicate: int | None = None) -> Results:
    """A county town, a township seat, ``n_villages`` villages, an empty village and a city,
    observed in 2012 and 2022; incomes grow by the exact beta-convergence law."""
    world = pd.DataFrame(
        [(0, "Town", "county_town", -1, 0.0, 0.0), (1, "Seat", "township", 0, 5.0, 0.0)]
        + [(2 + v, f"V{v}", "village", 1, 5.0 + v, 3.0) for v in range(n_villages)]
        + [(2 + n_villages, "Empty", "village", 1, 9.0, 9.0)]
        + [(3 + n_villages, "City", "city", -1, 90.0, 0.0)],
        columns=["place_id", "name", "level", "parent", "x_km", "y_km"],
    )
    places = []
    for year in (START, END):
        for i, w in world.iterrows():
            empty = w["name"] == "Empty"
            y0 = initial_income(w["level"], i)
            y = y0 if year == START else math.exp(DRIFT * 10) * y0 ** (1 + BETA * 10)
            town = w["level"] == "county_town"
            places.append(
                {
                    "year": year,
                    "place_id": w["place_id"],
                    "name": w["name"],
                    "level": w["level"],
                    "residents": 0 if empty else 3000,
                    "income_pc": 0.0 if empty else y,
                    "moves_in": (30 if year == START else 20) if town else 1,
                    "moves_out": (10 if year == START else 0) if town else 1,
                }
            )
    flows = [
        {"year": y, "origin_level": o, "destination_level": d, "persons": FLOWS[i, j]}
        for y in (START, END)
        for i, o in enumerate(LEVELS)
        for j, d in enumerate(LEVELS)
    ]
    ages = [
        {
            "year": y,
            "age_band": band,
            "moves": moves,
            "returns": returns,
            "migrant_workers_local": local,
            "migrant_workers_out": out,
        }
        for y in (START, END)
        for band, moves, returns, local, out in (
            ("0-15", 4, 1, 0, 0),
            ("16-19", 2, 0, 3, 1),
            ("20-24", 2, 1, 1, 3),
            ("25+", 0, 0, 0, 0),
        )
    ]
    county = pd.DataFrame(
        {
            "year": [START, END],
            "theil": [0.2, 0.1],
            "theil_between": [0.05, 0.01],
            "theil_within": [0.15, 0.09],
            "theil_hukou_between": [0.02, 0.03],
            "theil_hukou_within": [0.18, 0.07],
            "gini": [0.4, 0.3],
            "urbanization_resident": [0.5, 0.3],
            "income_urban_pc": [3000.0, 6000.0],
            "income_rural_pc": [1000.0, 2000.0],
            "income_ratio": [3.0, 3.0],
            "migrant_workers_local": [30, 0],
            "migrant_workers_out": [70, 0],
            "migrants_near": [35, 0],
            "migrants_province": [21, 0],
            "migrants_far": [14, 0],
        }
    )
    tables = {
        "county": county,
        "places": pd.DataFrame(places),
        "flows": pd.DataFrame(flows),
        "ages": pd.DataFrame(ages),
        "world": world,
    }
    if replicate is not None:
        for df in tables.values():
            df["replicate"] = replicate
    return Results(**tables, manifest={})


@pytest.fixture(scope="module")
def hand() -> Analysis:
    return Analysis(hand_made_results())


# --------------------------------------------------------------------------------------------
# Convergence


def test_sigma_by_hand(hand):
    s = hand.sigma()
    assert list(s.columns) == list(COLUMNS["sigma"])
    first = s.iloc[0]
    # half the places at 1000 and half at 3000 yuan: log deviations ±ln(3)/2, CV 1000/2000
    assert first["sigma_county"] == pytest.approx(math.log(3) / 2)
    assert first["sigma_villages"] == pytest.approx(math.log(3) / 2)
    assert first["cv_county"] == pytest.approx(0.5)
    assert first["cv_villages"] == pytest.approx(0.5)
    # the empty village and the city are left out
    assert (first["n_county"], first["n_villages"]) == (6, 4)
    # y_T ∝ y_0^0.8: the sd of logs shrinks by the factor 0.8
    assert s.iloc[1]["sigma_county"] == pytest.approx(0.8 * math.log(3) / 2)


def test_beta_recovers_the_known_coefficient(hand):
    b = hand.beta()
    assert list(b.columns) == list(COLUMNS["beta"])
    assert b["group"].tolist() == ["county", "villages"]
    speed = -math.log(1 + BETA * 10) / 10  # 1 + βT = 0.8
    for _, row in b.iterrows():
        assert (row["start"], row["end"]) == (START, END)
        assert row["beta"] == pytest.approx(BETA, abs=1e-12)
        assert row["intercept"] == pytest.approx(DRIFT, abs=1e-10)
        assert row["se"] == pytest.approx(0.0, abs=1e-12)
        assert row["speed"] == pytest.approx(speed)
        assert row["half_life"] == pytest.approx(math.log(2) / speed)  # 31.06 years
    assert b["n"].tolist() == [6, 4]
    weighted = hand.beta(weighted=True)
    assert weighted["beta"].to_numpy() == pytest.approx([BETA, BETA])


def test_beta_points(hand):
    p = hand.beta_points()
    assert list(p.columns) == list(COLUMNS["beta_points"])
    assert len(p) == 6  # county places with residents and income in both years
    assert p["log_income_start"].to_numpy() == pytest.approx(np.log(p["income_start"]))
    expected = DRIFT + BETA * p["log_income_start"]
    assert p["growth"].to_numpy() == pytest.approx(expected.to_numpy())


def test_beta_not_identified_gives_nan():
    b = Analysis(hand_made_results(n_villages=2)).beta()
    villages = b.set_index("group").loc["villages"]
    assert villages["n"] == 2
    assert math.isnan(villages["beta"]) and math.isnan(villages["half_life"])
    assert b.set_index("group").loc["county", "beta"] == pytest.approx(BETA)


def test_beta_windows(hand):
    w = hand.beta_windows(length=10)
    assert list(w.columns) == list(COLUMNS["beta"])
    assert w[["start", "end"]].drop_duplicates().values.tolist() == [[START, END]]
    with pytest.raises(ValueError):
        hand.beta_windows(length=0)


@pytest.mark.parametrize(
    ("start", "end"), [(START, START), (2000, END), (END, START), (START, 2015)]
)
def test_bad_windows_are_rejected(hand, start, end):
    with pytest.raises(ValueError):
        hand.beta(start, end)


# --------------------------------------------------------------------------------------------
# Inequality


def test_theil_shares(hand):
    t = hand.theil()
    assert list(t.columns) == list(COLUMNS["theil"])
    assert t["between_share_residence"].tolist() == pytest.approx([0.25, 0.1])
    assert t["between_share_hukou"].tolist() == pytest.approx([0.1, 0.3])


def test_between_group_gini_is_the_two_group_closed_form(hand):
    i = hand.inequality()
    assert list(i.columns) == list(COLUMNS["inequality"])
    # urban share 0.5 and ratio 3 -> 0.25; 0.3 and 3 -> 0.2625
    assert i["gini_between_residence"].tolist() == pytest.approx([0.25, 0.2625])


# --------------------------------------------------------------------------------------------
# Migration


def test_flow_tables_by_hand(hand):
    m = hand.flow_matrix()
    assert list(m.columns) == list(COLUMNS["flow_matrix"])
    assert m["persons_per_year"].to_numpy().reshape(4, 4) == pytest.approx(FLOWS)

    pairs = hand.migration_flows().set_index(["year", "level_a", "level_b"])
    assert list(pairs.reset_index().columns) == list(COLUMNS["migration_flows"])
    vt = pairs.loc[(START, "village", "township")]
    assert (vt["a_to_b"], vt["b_to_a"], vt["gross"], vt["net_a_to_b"]) == (5, 1, 6, 4)
    assert len(pairs) == 2 * 6

    bal = hand.level_balance().set_index(["year", "level"])
    village = bal.loc[(START, "village")]
    assert (village["inflow"], village["outflow"], village["net"]) == (11, 35, -24)
    assert village["efficiency"] == pytest.approx(-24 / 46)
    assert bal.loc[(START, "city"), "within"] == 3
    assert bal.loc[START, "net"].sum() == 0

    b = hand.county_boundary().iloc[0]
    assert list(b.index) == list(COLUMNS["county_boundary"])
    assert (b["within_county"], b["leaving"], b["entering"]) == (23, 29, 11)
    assert (b["net_leaving"], b["between_outside"]) == (18, 3)


def test_net_migration_by_hand(hand):
    n = hand.net_migration()
    assert list(n.columns) == list(COLUMNS["net_migration"])
    town = n.set_index("name").loc["Town"]
    # in 30 + 20, out 10 + 0, 3000 residents in each of the two years
    assert (town["moves_in"], town["moves_out"], town["net"], town["gross"]) == (50, 10, 40, 60)
    assert town["residents"] == 3000
    assert town["net_per_year"] == 20
    assert town["net_rate_per_1000"] == pytest.approx(1000 * 40 / 6000)
    assert town["efficiency"] == pytest.approx(40 / 60)
    one_year = hand.net_migration(START).set_index("name").loc["Town"]
    assert (one_year["net"], one_year["net_rate_per_1000"]) == (20, pytest.approx(20 / 3))
    assert math.isnan(hand.net_migration().set_index("name").loc["Empty", "net_rate_per_1000"])
    with pytest.raises(ValueError):
        hand.net_migration(START, start=START)


def test_return_migration_and_age_profile_by_hand(hand):
    r = hand.return_migration()
    assert list(r.columns) == list(COLUMNS["return_migration"])
    assert r["moves"].tolist() == [8, 8]
    assert r["return_share"].tolist() == pytest.approx([0.25, 0.25])

    a = hand.age_profile()
    assert list(a.columns) == list(COLUMNS["age_profile"])
    assert a["age_lower"].tolist() == [0, 16, 20, 25]
    assert a["moves_share"].tolist() == pytest.approx([0.5, 0.25, 0.25, 0.0])
    assert np.allclose(a["return_share"], [0.25, 0.0, 0.5, np.nan], equal_nan=True)
    assert np.allclose(a["local_share"], [np.nan, 0.75, 0.25, np.nan], equal_nan=True)

    ages = hand.migrant_ages().iloc[0]
    assert list(ages.index) == list(COLUMNS["migrant_ages"])
    # band midpoints 8, 18, 22.5 (and 30 for the open band 25+ taken as 25-34)
    assert ages["mean_age_movers"] == pytest.approx((4 * 8 + 2 * 18 + 2 * 22.5) / 8)
    assert ages["median_age_movers"] == pytest.approx(16.0)  # N/2 = 4 ends the first band
    assert ages["mean_age_returners"] == pytest.approx((8 + 22.5) / 2)
    assert ages["mean_age_local_workers"] == pytest.approx((3 * 18 + 22.5) / 4)


def test_migrant_workers_by_hand(hand):
    w = hand.migrant_workers()
    assert list(w.columns) == list(COLUMNS["migrant_workers"])
    first = w.iloc[0]
    assert (first["local"], first["out"], first["total"]) == (30, 70, 100)
    assert first["local_share"] == pytest.approx(0.3)
    assert [first["near_share"], first["province_share"], first["far_share"]] == pytest.approx(
        [0.5, 0.3, 0.2]
    )
    assert math.isnan(w.iloc[1]["local_share"])  # no migrant workers


def test_replicates_are_analysed_one_at_a_time():
    first, second = hand_made_results(replicate=0), hand_made_results(replicate=1)
    second.places["income_pc"] *= np.where(second.places["place_id"] == 0, 2.0, 1.0)
    both = Results(
        **{
            name: pd.concat([getattr(first, name), getattr(second, name)], ignore_index=True)
            for name in ("county", "places", "flows", "ages", "world")
        },
        manifest={},
    )
    default = Analysis(both)
    assert default.replicate == 0
    assert default.sigma().equals(Analysis(first).sigma())
    assert Analysis(both, replicate=1).sigma().equals(Analysis(second).sigma())
    with pytest.raises(ValueError, match="no replicates"):
        Analysis(hand_made_results(), replicate=1)


# --------------------------------------------------------------------------------------------
# A small run: every accessor, and the tables agree with each other


def test_every_accessor_returns_its_documented_columns(small_run):
    a = Analysis(small_run)
    assert isinstance(a, Analysis)
    for name, columns in COLUMNS.items():
        df = getattr(a, name)()
        assert isinstance(df, pd.DataFrame), name
        assert len(df) > 0, name
        assert tuple(df.columns[: len(columns)]) == columns, name
    assert a.beta_windows().columns.tolist() == list(COLUMNS["beta"])


def test_indicators_at_default_and_chosen_years(small_run):
    a = Analysis(small_run)
    years = a.years
    table = a.indicators()
    assert table["indicator"].tolist() == [key for key, _, _ in INDICATORS]
    assert list(table.columns[3:]) == [years[0], years[len(years) // 2], years[-1]]
    assert table.iloc[:, 3:].notna().all().all()
    chosen = a.indicators([years[1]])
    assert list(chosen.columns) == [*COLUMNS["indicators"], years[1]]
    with pytest.raises(ValueError, match="not in the run"):
        a.indicators([1999])


def test_small_run_tables_agree(small_run):
    a = Analysis(small_run)
    county = small_run.county.set_index("year")
    boundary = a.county_boundary().set_index("year")
    assert boundary["leaving"].to_numpy() == pytest.approx(county["exits"].to_numpy())
    assert boundary["entering"].to_numpy() == pytest.approx(county["entries"].to_numpy())
    # every move is in the flows table once and in the age profile once
    flows_total = small_run.flows.groupby("year")["persons"].sum()
    assert a.return_migration()["moves"].to_numpy() == pytest.approx(flows_total.to_numpy())
    assert a.return_migration()["returns"].to_numpy() == pytest.approx(
        county["return_moves"].to_numpy()
    )
    for year in a.years:
        net = a.net_migration(year)
        assert net["net"].sum() == 0  # every move leaves one place and enters another
        in_county = net.loc[net["level"] != "city", "net"].sum()
        assert in_county == pytest.approx(-boundary.loc[year, "net_leaving"])
        assert a.level_balance().query("year == @year")["net"].sum() == 0
    # the recorded between-group Theil is the two-group closed form of the urban share and
    # the urban/rural income ratio
    ineq = a.inequality()
    closed = [two_group_theil(u, r) for u, r in ineq[["urban_share", "income_ratio"]].values]
    assert a.theil()["theil_between_residence"].to_numpy() == pytest.approx(closed, rel=1e-9)


def test_analysis_of_a_saved_directory(small_run, tmp_path):
    small_run.save(tmp_path / "res")
    loaded = Analysis.load(tmp_path / "res")
    pd.testing.assert_frame_equal(loaded.sigma(), Analysis(small_run).sigma())
    pd.testing.assert_frame_equal(loaded.beta(), Analysis(small_run).beta())


# --------------------------------------------------------------------------------------------
# Figures


def test_save_analysis_figures_png_and_svg(small_run, tmp_path):
    paths = analysis_plots.save_analysis_figures(small_run, tmp_path, formats=("png", "svg"))
    names = [
        "sigma",
        "beta",
        "theil",
        "flows",
        "net_migration_map",
        "migrant_destinations",
        "migrant_ages",
    ]
    assert [p.name for p in paths] == [f"{n}.{f}" for n in names for f in ("png", "svg")]
    for path in paths:
        data = path.read_bytes()
        if path.suffix == ".png":
            assert data.startswith(b"\x89PNG\r\n\x1a\n"), path
        else:
            assert b"<svg" in data[:2000] and data.rstrip().endswith(b"</svg>"), path
    with pytest.raises(ValueError, match="unsupported"):
        analysis_plots.save_analysis_figures(small_run, tmp_path, formats=("docx",))


def test_plot_functions_draw_on_a_given_axes(hand):
    fig = Figure(figsize=(20, 8), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 5).ravel()
    drawn = [
        analysis_plots.plot_sigma(hand.sigma(), ax=axes[0]),
        analysis_plots.plot_beta(hand.beta_points(), hand.beta(), ax=axes[1]),
        analysis_plots.plot_theil(hand.theil(), "residence", ax=axes[2]),
        analysis_plots.plot_theil(hand.theil(), "hukou", ax=axes[3]),
        analysis_plots.plot_flow_diagram(hand.flow_matrix(), ax=axes[4]),
        analysis_plots.plot_net_migration_map(hand.net_migration(), hand.world, ax=axes[5]),
        analysis_plots.plot_migrant_destinations(hand.migrant_workers(), ax=axes[6]),
        analysis_plots.plot_age_profile(hand.age_profile(), ax=axes[7]),
        analysis_plots.plot_migrant_worker_ages(hand.age_profile(), ax=axes[8]),
    ]
    assert drawn == list(axes[:9])
    for ax in drawn:
        assert ax.get_title()
    # the flow diagram labels every level with its volume
    texts = [t.get_text() for t in axes[4].texts]
    assert any(t.startswith("Village\n35 leave") for t in texts)
    assert any(t.startswith("City\n32 arrive") for t in texts)
    with pytest.raises(ValueError, match="split"):
        analysis_plots.plot_theil(hand.theil(), "income")
    with pytest.raises(KeyError):
        analysis_plots.plot_sigma(hand.theil())


# ------------------------------------------------- results of a model stepped by hand


def test_results_from_a_model_stepped_by_hand_equal_those_of_a_run():
    import mesa

    from countysim.model import CountyModel
    from countysim.results import Results
    from countysim.runner import simulate

    scenario = small_scenario("years.end=2013")
    model = CountyModel(scenario)
    try:
        with pytest.raises(ValueError, match="step"):
            Results.from_model(model)
        model.step()
        model.step()
        by_hand = Results.from_model(model)
    finally:
        mesa.Agent._ids.pop(model, None)
    run = simulate(scenario)
    for table in Results.table_names:
        pd.testing.assert_frame_equal(getattr(by_hand, table), getattr(run, table))
    assert by_hand.manifest["scenario_hash"] == run.manifest["scenario_hash"]
    assert by_hand.manifest["run_seconds"] is None  # not timed: stepped by hand


def test_repr_is_a_short_summary_and_brief_names_units(small_run):
    text = repr(small_run)
    assert len(text) < 300 and "\n" not in text
    assert text.startswith("<Results small: 2012-2018")
    brief = small_run.brief()
    assert len(brief.splitlines()) == 9
    assert "nominal yuan" in brief and "resident urbanization" in brief
    last = small_run.county.iloc[-1]
    assert f"{last['urbanization_resident']:.1%}" in brief


def test_results_import_neither_analysis_nor_figures():
    """Results is floor 5: figures, analysis and reports read it, never the other way."""
    import subprocess
    import sys

    code = (
        "import sys, countysim.results; "
        "print(sorted(m for m in sys.modules if m.split('.')[1:2] and m.split('.')[1] in "
        "('analysis', 'figures', 'plots', 'analysis_plots', 'report', 'reports')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------- scale honesty


def test_scale_warnings_at_a_coarse_scale_only(small_run):
    from countysim.analysis import MIN_ROWS_PER_PLACE
    from countysim.runner import simulate

    fine = Analysis(small_run)
    # Scale 1, one row per person: no warning, however small the villages (the small county's
    # median village has fewer than MIN_ROWS_PER_PLACE persons by the end of the run).
    assert fine.scale_warnings() == []
    coarse = Analysis(simulate(small_scenario("simulation.scale=20", "years.end=2013")))
    assert coarse.rows_per_village() < MIN_ROWS_PER_PLACE
    assert coarse.rows_per_village() == pytest.approx(fine.rows_per_village() / 20, rel=0.3)
    (warning,) = coarse.scale_warnings()
    assert "simulation.scale=20" in warning and "sigma" in warning and "beta" in warning


def test_no_analysis_figure_has_a_second_y_axis(small_run):
    """Two measures on one panel share its axis or get a panel each, never a twin axis."""
    for name, fig in analysis_plots.analysis_figures(Analysis(small_run)).items():
        fig.canvas.draw()
        boxes = [tuple(np.round(a.get_position().bounds, 4)) for a in fig.axes]
        assert len(set(boxes)) == len(boxes), name
