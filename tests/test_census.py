"""The 2010 county census table and its search (countysim.census)."""

from __future__ import annotations

import pandas as pd
import pytest

import countysim
from countysim.census import (
    AGE_BANDS,
    census_2010,
    check_code,
    code_of_name,
    find_counties,
    unit,
)


def test_table_has_every_unit_with_string_codes():
    table = census_2010()
    assert len(table) == 2861
    assert table["code"].map(len).eq(6).all() and table["code"].str.isdigit().all()
    assert table.index.equals(pd.Index(table["code"]))
    assert table["residents"].sum() == 1_332_087_462  # the documented total of the units
    assert table["unit_type"].value_counts()["district"] == 855
    shares = table[[column for column, _, _ in AGE_BANDS]].sum(axis=1)
    assert shares.sub(1).abs().max() < 1e-3


def test_table_is_read_once():
    assert census_2010() is census_2010()


def test_find_by_code_prefix_and_name_part():
    assert list(find_counties("4114")["code"].str[:4].unique()) == ["4114"]
    assert list(find_counties("夏邑")["name"]) == ["夏邑县"]
    assert set(find_counties("东乡")["code"]) >= {"361029", "622926"}


@pytest.mark.parametrize("province", ["河南", "河南省", "Henan", "henan", "41"])
def test_province_by_chinese_english_or_code(province):
    found = find_counties(province=province)
    assert len(found) > 100 and set(found["province"]) == {"河南省"}


def test_filters_combine():
    found = find_counties(province="Guangdong", region="east", unit_type="county_city")
    assert len(found) > 0
    assert set(found["unit_type"]) == {"county_city"} and set(found["province_en"]) == {"Guangdong"}
    assert find_counties(province="Guangdong", region="west").empty


def test_bad_filters_say_what_is_allowed():
    with pytest.raises(ValueError, match="did you mean Henan"):
        find_counties(province="Hena")
    with pytest.raises(ValueError, match="east, central, west, northeast"):
        find_counties(region="south")
    with pytest.raises(ValueError, match="county_city"):
        find_counties(unit_type="city")


def test_python_api_returns_a_frame():
    found = countysim.counties("民权")
    assert isinstance(found, pd.DataFrame) and found.iloc[0]["code"] == "411421"


def test_check_code_rejects_districts_unknown_and_malformed_codes():
    assert check_code("411421") == "411421"
    with pytest.raises(ValueError, match="urban district.*411421 民权县"):
        check_code("411402")
    with pytest.raises(ValueError, match="no county-level unit.*nearest: 4114"):
        check_code("411499")
    with pytest.raises(ValueError, match="six digits"):
        check_code("4114")
    assert unit("411426")["name"] == "夏邑县"


def test_names_exact_prefix_ambiguous_and_unknown():
    assert code_of_name("夏邑县") == "411426"
    assert code_of_name("夏邑") == "411426"
    with pytest.raises(ValueError, match="2 units match.*361029 东乡县.*622926"):
        code_of_name("东乡")
    with pytest.raises(ValueError, match="nearest: .*鹿邑县"):
        code_of_name("下邑县")
    with pytest.raises(ValueError, match="urban district"):
        code_of_name("梁园区")
