"""`countysim counties`: searching the 2010 county census from the command line."""

from __future__ import annotations

import contextlib
import io

import pandas as pd

from countysim.cli import main


def counties(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["counties", *args])
    return code, out.getvalue(), err.getvalue()


def test_search_by_name_prints_the_key_figures():
    code, out, _ = counties("夏邑")
    assert code == 0
    header, row = out.splitlines()
    for heading in ("code", "residents", "registered", "urban", "65+", "hh size", "farm"):
        assert heading in header
    assert row.split()[:4] == ["411426", "夏邑县", "河南省", "county"]
    assert "915,291" in row and "26.4%" in row and "3.01" in row


def test_columns_are_aligned_with_chinese_names():
    _, out, _ = counties("东乡")
    lines = out.splitlines()
    # Each row's residents figure ends at the same display column as its heading.
    ends = {line.index("residents") + len("residents") for line in lines[:1]}
    for line in lines[1:]:
        wide = sum(1 for c in line.split("county")[0] if ord(c) > 0x2E80)
        cells = line.split()
        position = line.index(cells[4]) + len(cells[4]) + wide
        ends.add(position)
    assert len(ends) == 1


def test_filters_and_limit():
    code, out, _ = counties("--province", "Henan", "--type", "county_city", "--limit", "3")
    assert code == 0
    rows = out.splitlines()[1:4]
    assert all(" county_city " in row and "河南省" in row for row in rows)
    assert "more; --limit N shows more" in out.splitlines()[-1]
    code, out, _ = counties("--region", "northeast", "--province", "吉林", "--limit", "100")
    assert code == 0 and "吉林省" in out and "河南省" not in out


def test_csv_gives_every_column(tmp_path):
    code, out, _ = counties("4114", "--csv")
    assert code == 0
    path = tmp_path / "units.csv"
    path.write_text(out, encoding="utf-8")
    table = pd.read_csv(path, dtype={"code": str})
    assert table["code"].str.startswith("4114").all() and len(table) == 9
    assert {"in_migrants_same_county", "mean_years_schooling", "data_flags"} <= set(table)


def test_bad_province_and_no_match():
    code, _, err = counties("--province", "Hena")
    assert code == 2 and "did you mean Henan" in err
    code, _, err = counties("不存在")
    assert code == 1 and "no county-level unit matches" in err
