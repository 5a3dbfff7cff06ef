"""The tables shipped inside the package are the same files as the project's data digest."""

from importlib import resources
from pathlib import Path

import pytest

SEEDS_DATA = Path(__file__).resolve().parents[1] / "seeds" / "data"


@pytest.mark.parametrize("name", ["county_census_2010.csv", "china_statistics_to_2019.csv"])
def test_package_copy_equals_the_seeds_copy(name):
    shipped = resources.files("countysim").joinpath("data", name).read_bytes()
    assert shipped == (SEEDS_DATA / name).read_bytes()


def test_national_reference_points_come_from_the_package():
    from countysim.figures.reference import STATISTICS_FILE, reference_series

    assert STATISTICS_FILE.is_file()
    assert STATISTICS_FILE.parent.name == "data"
    series = reference_series("urbanization_resident")
    assert series.index.max() <= 2019 and len(series) >= 5
